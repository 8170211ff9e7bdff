using Lathe.Config;
using Lathe.Data.Pipeline;
using Lathe.Data.Splitting;

namespace Lathe.Data.Transforms;

/// <summary>Replaces each categorical column by what the training target says about its categories
/// (<c>prepare.encode: target</c>): per category, the frequency of each class (classification: one column per
/// class, or one for the second class when there are two) or the mean of the target on the model's scale,
/// (value − mean) / std (regression). Each is smoothed toward the whole training part's value, the prior, with
/// weight m: (n·category mean + m·prior) / (n + m), so a rare category leans on the prior; an unknown category
/// gets the prior. Training rows get out-of-fold values — the encoding fitted on the other k − 1 folds — so a
/// row's own label never reaches its features; every other row gets the encoding fitted on all training rows.</summary>
public sealed class TargetEncode : IFitTransformStep
{
    private readonly string[] _outputs;
    private readonly double[] _values;
    private readonly long[]? _classes;
    private readonly double _smoothing;
    private readonly int _folds;
    private readonly int _seed;

    /// <param name="target">The target as fitted (its classes, or its training mean and std).</param>
    /// <param name="labelled">The training rows with their target column, in the order the step will be fitted on.</param>
    public TargetEncode(FittedTarget target, Table labelled, double smoothing = 10, int folds = 5, int seed = 0)
    {
        (_smoothing, _folds, _seed) = (smoothing, folds, seed);
        if (target.Task == TaskKind.Classification)
        {
            _classes = target.EncodeClasses(labelled);
            // With two classes the second's frequency says everything; the first would only mirror it.
            var first = target.Classes.Count == 2 ? 1 : 0;
            _outputs = target.Classes.Skip(first).Select(c => $"p_{c}").ToArray();
            _values = new double[_classes.Length * _outputs.Length];
            for (var r = 0; r < _classes.Length; r++)
                if (_classes[r] >= first) _values[r * _outputs.Length + (int)_classes[r] - first] = 1;
        }
        else
        {
            _outputs = ["target_mean"];
            _values = Array.ConvertAll(target.NumbersOf(labelled), v => (v - target.Mean) / target.Std);
        }
    }

    private int Rows => _values.Length / _outputs.Length;

    public IFittedStep Fit(Table train) => FitRows(Categorical(train), Enumerable.Range(0, train.RowCount).ToArray());

    public (IFittedStep Fitted, Table Train) FitTransform(Table train)
    {
        var columns = Categorical(train);
        var fitted = FitRows(columns, Enumerable.Range(0, train.RowCount).ToArray());
        if (train.RowCount < _folds)
            throw new DataException($"{train.Source}: {train.RowCount} training rows cannot make {_folds} folds for target encoding — lower prepare.target_folds");
        var folds = KFold.Assign(train.RowCount, _folds, _seed, _classes);
        var encoded = columns.ToDictionary(c => c.Name, _ => _outputs.Select(_ => new double[train.RowCount]).ToArray());
        for (var k = 0; k < _folds; k++)
        {
            var (fitRows, heldRows) = KFold.Parts(folds, k);
            var part = FitRows(columns, fitRows);
            foreach (var (column, encoding) in columns.Zip(part.Columns))
                part.Encode(column, encoding, heldRows, encoded[column.Name]);
        }
        return (fitted, train.Replace(column => encoded.TryGetValue(column.Name, out var values)
            ? values.Select((v, j) => new NumericColumn($"{column.Name}.{_outputs[j]}", v))
            : null));
    }

    private StringColumn[] Categorical(Table train)
    {
        if (train.RowCount != Rows)
            throw new InvalidOperationException($"target encoding was given {Rows} labels for {train.RowCount} rows");
        return train.Columns.OfType<StringColumn>().ToArray();
    }

    /// <summary>The encoding learned from the given rows only: per category its count and smoothed means.</summary>
    private FittedTargetEncode FitRows(StringColumn[] columns, int[] rows)
    {
        var width = _outputs.Length;
        var prior = new double[width];
        foreach (var r in rows)
            for (var j = 0; j < width; j++) prior[j] += _values[r * width + j];
        for (var j = 0; j < width; j++) prior[j] /= Math.Max(1, rows.Length);

        var encoded = new List<TargetEncodedColumn>();
        foreach (var column in columns)
        {
            var sums = new Dictionary<string, (int Count, double[] Sum)>(StringComparer.Ordinal);
            foreach (var r in rows)
            {
                if (column.Values[r] is not { } category) continue;
                if (!sums.TryGetValue(category, out var entry)) entry = (0, new double[width]);
                for (var j = 0; j < width; j++) entry.Sum[j] += _values[r * width + j];
                sums[category] = (entry.Count + 1, entry.Sum);
            }
            var categories = sums.Keys.Order(StringComparer.Ordinal).ToArray();
            encoded.Add(new TargetEncodedColumn(column.Name, categories,
                categories.Select(c => sums[c].Count).ToArray(),
                categories.Select(c => (IReadOnlyList<double>)Enumerable.Range(0, width).Select(j => (sums[c].Sum[j] + _smoothing * prior[j]) / (sums[c].Count + _smoothing)).ToArray()).ToArray()));
        }
        return new FittedTargetEncode(_outputs, _smoothing, _folds, prior, encoded);
    }
}

/// <summary>One categorical column's encoding: its categories seen in training, how many rows each had, and
/// each one's smoothed values (one per output).</summary>
public sealed record TargetEncodedColumn(string Name, IReadOnlyList<string> Categories, IReadOnlyList<int> Counts, IReadOnlyList<IReadOnlyList<double>> Values);

/// <param name="Outputs">What each new column holds, after the column's name: <c>p_CLASS</c> or <c>target_mean</c>.</param>
/// <param name="Prior">The whole training part's values, given to unknown and missing categories.</param>
/// <param name="Folds">How many folds gave the training rows their out-of-fold values.</param>
public sealed record FittedTargetEncode(IReadOnlyList<string> Outputs, double Smoothing, int Folds, IReadOnlyList<double> Prior, IReadOnlyList<TargetEncodedColumn> Columns) : IFittedStep
{
    public Table Transform(Table table)
    {
        var encodings = FittedColumns.In(table, Columns, c => c.Name, "target encode");
        return table.Replace(column =>
        {
            if (column is not StringColumn text || !encodings.TryGetValue(column.Name, out var encoding)) return null;
            var values = Outputs.Select(_ => new double[text.Count]).ToArray();
            Encode(text, encoding, Enumerable.Range(0, text.Count).ToArray(), values);
            return values.Select((v, j) => new NumericColumn($"{text.Name}.{Outputs[j]}", v));
        });
    }

    /// <summary>Writes the encoding of the given rows into <paramref name="values"/> (one array per output).</summary>
    internal void Encode(StringColumn text, TargetEncodedColumn encoding, int[] rows, double[][] values)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var k = 0; k < encoding.Categories.Count; k++) index[encoding.Categories[k]] = k;
        foreach (var r in rows)
        {
            var known = text.Values[r] is { } category && index.TryGetValue(category, out var k) ? encoding.Values[k] : Prior;
            for (var j = 0; j < Outputs.Count; j++) values[j][r] = known[j];
        }
    }
}
