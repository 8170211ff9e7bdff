using Lathe.Data.Pipeline;

namespace Lathe.Data.Transforms;

/// <summary>Centres every numeric column on its training mean and divides by its training standard deviation.</summary>
public sealed class StandardScale : IPipelineStep
{
    public IFittedStep Fit(Table train)
    {
        var scaled = new List<ScaledColumn>();
        foreach (var column in train.Columns.OfType<NumericColumn>())
        {
            double sum = 0, count = 0;
            foreach (var v in column.Values)
                if (!double.IsNaN(v)) { sum += v; count++; }
            var mean = count > 0 ? sum / count : 0;
            double squares = 0;
            foreach (var v in column.Values)
                if (!double.IsNaN(v)) squares += (v - mean) * (v - mean);
            var std = count > 1 ? Math.Sqrt(squares / (count - 1)) : 0;
            // A constant column carries no information; keep it at 0 rather than divide by 0.
            scaled.Add(new ScaledColumn(column.Name, mean, std > 1e-12 ? std : 1));
        }
        return new FittedStandardScale(scaled);
    }
}

public sealed record ScaledColumn(string Name, double Mean, double Std);

public sealed record FittedStandardScale(IReadOnlyList<ScaledColumn> Columns) : IFittedStep
{
    public Table Transform(Table table)
    {
        var scales = Columns.ToDictionary(c => c.Name);
        var columns = table.Columns.Select(column =>
        {
            if (column is not NumericColumn numeric || !scales.TryGetValue(column.Name, out var scale)) return column;
            var values = new double[numeric.Count];
            for (var i = 0; i < values.Length; i++) values[i] = (numeric.Values[i] - scale.Mean) / scale.Std;
            return new NumericColumn(column.Name, values);
        }).ToArray();
        return table.With(columns);
    }
}
