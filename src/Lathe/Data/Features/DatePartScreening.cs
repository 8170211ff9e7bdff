using Lathe.Config;
using Lathe.Data.Cleaning;
using Lathe.Data.Pipeline;
using Lathe.Data.Schema;

namespace Lathe.Data.Features;

/// <summary>Keeps a date column's calendar cycles (month, day of the month, weekday, hour of the day, each with its
/// sine and cosine) only where the training part shows them related to the target. Lathe invents these parts for
/// every date; in most tables some are noise (the day of the month says nothing about the weather), and a network
/// given noise columns with bins of their own learns from it: on seattle-weather, dropping the day of the month and
/// the weekday lifted the default model's test accuracy from 0.858 to 0.864 (five splits, docs/benchmarks.md). Where every
/// date falls on the same day of the month, the weekday is left out untested: it only re-encodes the year and month (cars'
/// model years, all on 1 January). The trend parts (year, days elapsed) are always kept: they
/// carry when a row happened, which drift and changes of regime depend on.</summary>
/// <remarks>The test is a permutation test of each part's levels against the target on at most
/// <see cref="SampleRows"/> evenly spaced training rows: the statistic is the between-level share of the target's
/// variance (per class indicator, or per standardised target), summed; the part is kept when at most 5% of
/// <see cref="Shuffles"/> seeded shuffles of its levels reach the observed value. No distribution is assumed, so
/// sparse levels (31 days against a rare class) do not inflate it.</remarks>
public static class DatePartScreening
{
    public const int SampleRows = 20_000;
    public const int Shuffles = 199;
    public const double Level = 0.05;

    /// <summary>The cyclical parts tested, each with the parts that stand or fall with it.</summary>
    public static readonly IReadOnlyList<(string Part, string[] With)> Cycles =
    [
        ("month", ["month_sin", "month_cos"]),
        ("day", []),
        ("weekday", ["weekday_sin", "weekday_cos"]),
        ("hour", ["hour_sin", "hour_cos"]),
    ];

    /// <summary>Tests each date feature's cyclical parts against the target on <paramref name="train"/> (raw rows with
    /// their target), with shuffles dealt by <paramref name="seed"/>.</summary>
    public static IReadOnlyList<DatePartTest> Test(Table train, DataSchema schema, FittedTarget target, int seed)
    {
        var dates = schema.Features.Where(c => c.Type == ColumnType.DateTime && c.DateParts is not null).ToArray();
        if (dates.Length == 0) return [];
        var rows = TargetOutcome.EvenlySpaced(train.RowCount, SampleRows);
        var sample = rows.Length == train.RowCount ? train : train.Gather(rows);
        var outcome = TargetOutcome.Of(sample, target);
        var tests = new List<DatePartTest>();
        foreach (var column in dates)
        {
            var names = Cycles.Select(c => c.Part).Where(column.DateParts!.Contains).ToArray();
            // The day of the month is read even where it is not a part of this column, for the weekday's sake.
            var parts = TypeCoercion.DatePartValues(sample, column.Name, names.Append("day").Distinct().ToArray()).ToDictionary(p => p.Part, p => p.Values);
            var oneDay = Levels(parts["day"]) == 1;
            foreach (var part in names)
            {
                var values = parts[part];
                // Every date on the same day of the month (model years on 1 January, monthly figures on the 1st): the
                // weekday then only re-encodes the year and month, scrambled, and is left out untested.
                if (part == "weekday" && oneDay)
                {
                    tests.Add(new DatePartTest(column.Name, part, Levels(values), 1) { OneDayOfMonth = true });
                    continue;
                }
                var random = new SeededRandom(seed, unchecked((int)StableHash($"{column.Name}.{part}")));
                var (levels, p) = PValue(values, outcome, random);
                tests.Add(new DatePartTest(column.Name, part, levels, p));
            }
        }
        return tests;
    }

    /// <summary>The schema with the parts that failed their test (and the sine and cosine that go with them) left out.</summary>
    public static DataSchema Narrow(DataSchema schema, IReadOnlyList<DatePartTest> tests)
    {
        if (!tests.Any(t => !t.Kept)) return schema;
        var columns = schema.Columns.Select(c =>
        {
            var dropped = tests.Where(t => t.Column == c.Name && !t.Kept).SelectMany(t => Cycles.First(x => x.Part == t.Part).With.Prepend(t.Part)).ToHashSet();
            return dropped.Count == 0 || c.DateParts is null ? c : c with { DateParts = c.DateParts.Where(p => !dropped.Contains(p)).ToArray() };
        }).ToArray();
        return schema with { Columns = columns };
    }

    /// <summary>The part's number of levels in the rows that have a date, and the share of shuffles (counting the observed
    /// order as one) whose statistic reaches the observed one.</summary>
    private static (int Levels, double P) PValue(double[] values, TargetOutcome outcome, SeededRandom random)
    {
        // Rows without a date take no part; levels are the part's whole values (hours: the hour the minutes fall in).
        var present = Enumerable.Range(0, values.Length).Where(i => !double.IsNaN(values[i])).ToArray();
        if (present.Length < 2) return (present.Length, 1);
        var levels = present.Select(i => (int)Math.Floor(values[i])).ToArray();
        var lowest = levels.Min();
        for (var i = 0; i < levels.Length; i++) levels[i] -= lowest;
        var levelCount = levels.Max() + 1;
        var seen = levels.Distinct().Count();
        if (seen == 1) return (1, 1);
        var subset = outcome.Rows(present);
        var observed = subset.Statistic(levels, levelCount);
        if (observed <= 0) return (seen, 1);
        var reached = 0;
        var shuffled = (int[])levels.Clone();
        for (var s = 0; s < Shuffles; s++)
        {
            random.Shuffle(shuffled.AsSpan());
            if (subset.Statistic(shuffled, levelCount) >= observed * (1 - 1e-12)) reached++;
        }
        return (seen, (1.0 + reached) / (Shuffles + 1));
    }

    /// <summary>The whole values a part takes in the rows that have a date.</summary>
    private static int Levels(double[] values) => values.Where(v => !double.IsNaN(v)).Select(Math.Floor).Distinct().Count();

    /// <summary>FNV-1a over the name: a stream per part that does not depend on the runtime's string hashing.</summary>
    private static uint StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text) hash = (hash ^ c) * 16777619u;
        return hash;
    }

}

/// <summary>One cyclical date part's test: its column, the part, how many values it takes in the training rows, and the
/// permutation p-value (kept when at most 0.05; a part with one value is 1).</summary>
public sealed record DatePartTest(string Column, string Part, int Levels, double P)
{
    public bool Kept => P <= DatePartScreening.Level;

    /// <summary>A weekday left out untested (p 1) because every training date falls on the same day of the month, so it
    /// could only re-encode the year and month.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool OneDayOfMonth { get; init; }
}
