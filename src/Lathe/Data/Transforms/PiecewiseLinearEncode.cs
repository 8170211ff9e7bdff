using Lathe.Data.Pipeline;

namespace Lathe.Data.Transforms;

/// <summary>Piecewise-linear encoding of numbers (Gorishniy et al. 2022, "On Embeddings for Numerical Features in
/// Tabular Deep Learning"): each numeric column becomes one column per bin, with bin edges at the training part's
/// quantiles (its minimum and maximum outermost). Bins below the value read 1, bins above it 0, and the bin it falls
/// in the fraction of the way through it, so a number is a ramp over T values in [0, 1] that an MLP can bend bin by
/// bin. Ties merge edges, so a column with few distinct values gets fewer bins; flags (two values or fewer) are left
/// alone. With <paramref name="keepNumber"/> the number itself (as scaled) stays, before its bins.</summary>
public sealed class PiecewiseLinearEncode(int bins, bool keepNumber = false) : IPipelineStep
{
    public IFittedStep Fit(Table train)
    {
        var numbers = train.Columns.OfType<NumericColumn>().ToArray();
        var encoded = new PiecewiseLinearColumn?[numbers.Length];
        Parallelism.For(numbers.Length, c =>
        {
            var present = numbers[c].Values.Where(v => !double.IsNaN(v)).ToArray();
            if (present.Distinct().Take(3).Count() <= 2) return;
            Array.Sort(present);
            // Equal quantiles collapse into one edge, so ties make fewer bins rather than empty ones.
            var edges = Enumerable.Range(0, bins + 1).Select(k => Quantile.Of(present, (double)k / bins)).Distinct().ToArray();
            encoded[c] = new PiecewiseLinearColumn(numbers[c].Name, edges);
        });
        return new FittedPiecewiseLinearEncode(encoded.OfType<PiecewiseLinearColumn>().ToArray()) { KeepNumber = keepNumber };
    }
}

/// <summary>One column's bin edges, ascending: bin t runs from edge t to edge t + 1.</summary>
public sealed record PiecewiseLinearColumn(string Name, IReadOnlyList<double> Edges)
{
    public int Bins => Edges.Count - 1;

    /// <summary>The name of bin <paramref name="bin"/>'s column (1-based, as the paper counts them).</summary>
    public string ColumnName(int bin) => $"{Name}.ple{bin}";

    // The edges as an array and the bins' column names, made once per fitted column and kept beside it (not in the
    // record, whose equality and JSON stay its two fields): a served model encodes one row at a time.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<PiecewiseLinearColumn, Made> Cache = new();

    internal Made Lookup => Cache.GetValue(this, column =>
        new Made(column.Edges.ToArray(), Enumerable.Range(1, column.Bins).Select(column.ColumnName).ToArray()));

    internal sealed record Made(double[] Edges, string[] Names);
}

public sealed record FittedPiecewiseLinearEncode(IReadOnlyList<PiecewiseLinearColumn> Columns) : IFittedStep
{
    /// <summary>Each encoded number is kept, as it came, before its bins (<c>prepare.piecewise_linear_number</c>); absent
    /// (false) in pipelines written before the option.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool KeepNumber { get; init; }

    public Table Transform(Table table)
    {
        var encoded = FittedColumns.In(table, Columns, c => c.Name, "piecewise-linear encoding");
        return table.Replace(column =>
        {
            if (column is not NumericColumn numeric || !encoded.TryGetValue(column.Name, out var ple)) return null;
            var (edges, names) = ple.Lookup;
            var kept = KeepNumber ? 1 : 0;
            var outputs = new Column[kept + ple.Bins];
            if (KeepNumber) outputs[0] = numeric;
            for (var t = 0; t < ple.Bins; t++)
            {
                var (low, width) = (edges[t], edges[t + 1] - edges[t]);
                var values = new double[numeric.Count];
                for (var i = 0; i < values.Length; i++) values[i] = Ramp(numeric.Values[i], low, width);
                outputs[kept + t] = new NumericColumn(names[t], values);
            }
            return outputs;
        });
    }

    /// <summary>One value's reading in the bin that starts at <paramref name="low"/>: 0 below it, 1 above it, the fraction of
    /// the way through it inside. A missing value stays missing in every bin.</summary>
    public static double Ramp(double v, double low, double width) => double.IsNaN(v) ? v : Math.Clamp((v - low) / width, 0, 1);
}
