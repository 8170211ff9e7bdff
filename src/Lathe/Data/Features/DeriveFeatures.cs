using Lathe.Data.Pipeline;

namespace Lathe.Data.Features;

/// <summary>Adds the derived columns the config defines (<c>bmi: weight / height ^ 2</c>), computed from the
/// typed columns before any other step, so they are imputed, scaled and selected like any other. Nothing is
/// learned: fitting checks that every formula parses and every column it reads is a number here.</summary>
public sealed class DeriveFeatures(IReadOnlyDictionary<string, string> formulas) : IPipelineStep
{
    public IFittedStep Fit(Table train)
    {
        // A name that is not a column here is the user's typo: say which column they probably meant.
        var known = new HashSet<string>(train.ColumnNames, StringComparer.Ordinal);
        foreach (var (name, formula) in formulas)
        {
            foreach (var column in Expression.Parse(formula).Columns)
                if (!known.Contains(column)) throw train.MissingColumn(column, $"column (read by the formula for '{name}')");
            known.Add(name);
        }
        var fitted = new FittedDeriveFeatures(formulas.Select(f => new DerivedColumn(f.Key, f.Value)).ToArray());
        fitted.Transform(train);
        return fitted;
    }
}

public sealed record DerivedColumn(string Name, string Formula);

public sealed record FittedDeriveFeatures(IReadOnlyList<DerivedColumn> Columns) : IFittedStep
{
    public Table Transform(Table table)
    {
        var columns = table.Columns.ToList();
        var current = table;
        foreach (var derived in Columns)
        {
            var expression = Expression.Parse(derived.Formula);
            if (current.Contains(derived.Name))
                throw new DataException($"derived column '{derived.Name}' would replace an existing column — choose another name");
            current.Require(expression.Columns, "derive");
            foreach (var name in expression.Columns)
            {
                if (current[name] is not NumericColumn)
                    throw new DataException($"{current.Source}: the formula for '{derived.Name}' reads '{name}', which is not a numeric column (dates are split into parts such as '{name}.year')");
            }
            columns.Add(new NumericColumn(derived.Name, expression.Evaluate(n => ((NumericColumn)current[n]).Values, current.RowCount)));
            current = table.With(columns);
        }
        return current;
    }
}
