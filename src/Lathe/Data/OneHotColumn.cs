namespace Lathe.Data;

/// <summary>A categorical column after one-hot encoding, kept compact: per row the index of its category
/// in <see cref="Categories"/>, or −1 for none of them (a category unseen in training). It stands for one
/// 0/1 feature per category (<c>origin=ABQ</c>, …) that is expanded only when the model's input is packed,
/// so millions of rows of hundreds of categories never become hundreds of arrays.</summary>
public sealed class OneHotColumn : Column
{
    /// <param name="featureNames">The features' names when the caller has them already (a fitted step keeps them, so a
    /// one-row request does not format them again); null makes them on first use.</param>
    public OneHotColumn(string name, int[] codes, IReadOnlyList<string> categories, IReadOnlyList<string>? featureNames = null) : base(name)
    {
        Codes = codes;
        Categories = categories;
        _featureNames = featureNames;
    }

    private IReadOnlyList<string>? _featureNames;

    /// <summary>Per row, the index of its category, or −1.</summary>
    public int[] Codes { get; }
    public IReadOnlyList<string> Categories { get; }
    /// <summary>The features this column stands for, one per category: <c>name=category</c>.</summary>
    public IReadOnlyList<string> FeatureNames => _featureNames ??= Categories.Select(c => FeatureName(Name, c)).ToArray();
    public override int Count => Codes.Length;
    /// <summary>Never missing: a row of no known category is all zeros.</summary>
    public override bool IsMissing(int row) => false;

    public static string FeatureName(string column, string category) => $"{column}={category}";

    /// <summary>The 0/1 feature of category <paramref name="k"/>, expanded.</summary>
    public NumericColumn Indicator(int k)
    {
        var values = new double[Codes.Length];
        for (var i = 0; i < values.Length; i++) values[i] = Codes[i] == k ? 1 : 0;
        return new NumericColumn(FeatureNames[k], values);
    }

    /// <summary>The column without the features of the given categories: their rows become "none".</summary>
    public OneHotColumn Without(IReadOnlySet<string> categories)
    {
        var remap = new int[Categories.Count];
        var kept = new List<string>();
        for (var k = 0; k < remap.Length; k++)
        {
            remap[k] = categories.Contains(Categories[k]) ? -1 : kept.Count;
            if (remap[k] >= 0) kept.Add(Categories[k]);
        }
        var codes = new int[Codes.Length];
        for (var i = 0; i < codes.Length; i++) codes[i] = Codes[i] < 0 ? -1 : remap[Codes[i]];
        return new OneHotColumn(Name, codes, kept);
    }

    public override Column Gather(ReadOnlySpan<int> rows)
    {
        var picked = new int[rows.Length];
        for (var i = 0; i < rows.Length; i++) picked[i] = Codes[rows[i]];
        return new OneHotColumn(Name, picked, Categories, _featureNames);
    }

    public override Column Rename(string name) => new OneHotColumn(name, Codes, Categories);
}
