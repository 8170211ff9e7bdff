namespace Lathe.Data.Schema;

/// <summary>Infers each column's type from its values: numbers, yes/no booleans, dates, a bounded set of
/// categories, free text, or images. The target and excluded columns are listed but not used as features.</summary>
public static class SchemaInference
{
    /// <summary>A text column with at most this many distinct values is categorical…</summary>
    public const int MaxCategories = 1000;
    /// <summary>…unless most of its values are unique, which marks free text or an identifier.</summary>
    private const double MaxDistinctShare = 0.5;
    /// <summary>The share of values that may fail to parse in a column still taken as numeric.</summary>
    public const double StrayShare = 0.01;

    /// <param name="text">Use free-text columns as features (their words or subwords; <c>prepare.text: words</c> or <c>bpe</c>).</param>
    public static DataSchema Infer(Table table, string target, IReadOnlyCollection<string>? exclude = null, bool text = false)
    {
        // Beside an image, a text column is a file name or a caption, not something the image model can take.
        var images = table.Columns.Any(c => c is ImageColumn);
        var columns = new List<ColumnSchema>();
        // Each column's type is a pass over its values, independent of the others.
        var types = new ColumnType[table.Columns.Count];
        Parallelism.For(types.Length, c => types[c] = InferType(table.Columns[c]));
        foreach (var (column, inferred) in table.Columns.Zip(types))
        {
            var type = inferred;
            // A table that already has its images (an image folder) keeps its file names as text.
            if (type == ColumnType.Image && column is StringColumn && images) type = ColumnType.Text;
            string? unused = null;
            if (column.Name == target) unused = "the target";
            else if (exclude?.Contains(column.Name) == true) unused = "excluded in data.exclude";
            else if (type == ColumnType.Text && images) unused = "text beside an image column: not used as a feature";
            else if (type == ColumnType.Text && !text) unused = "free text (mostly unique values): not used as a feature; prepare.text: words (or bpe) would use its words";
            else if (CountPresent(column) == 0) unused = "every value is missing";
            IReadOnlyList<int>? shape = null;
            if (type == ColumnType.Image && column is StringColumn paths && unused is null)
            {
                shape = ImageShape(table, paths);
                if (shape is null) unused = "image paths, but none of the files can be read";
            }
            columns.Add(new ColumnSchema(column.Name, type, unused, shape) { DateParts = type == ColumnType.DateTime ? Cleaning.TypeCoercion.DateParts : null });
        }
        return new DataSchema(columns);
    }

    public static ColumnType InferType(Column column)
    {
        switch (column)
        {
            case ImageColumn:
                return ColumnType.Image;
            case NumericColumn numeric:
                return IsBinary(numeric.Values) ? ColumnType.Boolean : ColumnType.Numeric;
        }
        // Every check is a function of the value, so each distinct value is checked once, weighted by its count:
        // millions of rows of a few hundred categories cost one pass of hashing. Past MaxCategories distinct
        // values the column cannot be categorical, and further new values are checked one by one instead.
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        long present = 0, images = 0, notImages = 0, notNumbers = 0;
        bool booleans = true, dates = true;
        foreach (var value in ((StringColumn)column).Values)
        {
            if (Values.IsMissing(value)) continue;
            present++;
            var text = value!.Trim();
            if (counts.Count <= MaxCategories || counts.ContainsKey(text))
                System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(counts, text, out _)++;
            else Check(text, 1);
        }
        foreach (var (text, count) in counts) Check(text, count);
        if (present == 0) return ColumnType.Categorical;
        if (images >= 0.9 * present) return ColumnType.Image;
        if (booleans) return ColumnType.Boolean;
        // A few stray values do not make a column of numbers text: their rows are quarantined instead.
        if (notNumbers <= present * StrayShare)
            return counts.Count <= 2 && counts.Keys.All(v => v is "0" or "1") ? ColumnType.Boolean : ColumnType.Numeric;
        if (dates) return ColumnType.DateTime;
        var distinct = counts.Count;
        if (distinct <= MaxCategories && (distinct <= 20 || distinct <= present * MaxDistinctShare))
            return ColumnType.Categorical;
        return ColumnType.Text;

        // A check stops once its answer is settled for the whole column: more than 10% not images, more than the
        // stray share not numbers, one value not a yes/no or not a date.
        void Check(string text, int count)
        {
            var length = (long)column.Count;
            if (notImages <= 0.1 * length)
            {
                if (Sources.ImageDecoder.LooksLikeImage(text)) images += count;
                else notImages += count;
            }
            if (notNumbers <= length * StrayShare && !Values.TryNumber(text, out _)) notNumbers += count;
            booleans = booleans && Values.TryBoolean(text, out _);
            dates = dates && Values.TryDate(text, out _);
        }
    }

    /// <summary>[channels, height, width] for a column of image paths: the most common size, and one channel
    /// when the first images are all gray; null when none can be read.</summary>
    private static IReadOnlyList<int>? ImageShape(Table table, StringColumn paths)
    {
        var files = paths.Values.Where(v => !Values.IsMissing(v)).Select(v => table.Resolve(v!)).ToArray();
        if (Sources.ImageDecoder.CommonSize(files) is not var (height, width)) return null;
        var gray = true;
        foreach (var file in files.Take(50)) Sources.ImageDecoder.Decode(file, height, width, ref gray);
        return [gray ? 1 : 3, height, width];
    }

    private static bool IsBinary(double[] values)
    {
        var any = false;
        foreach (var v in values)
        {
            if (double.IsNaN(v)) continue;
            if (v != 0 && v != 1) return false;
            any = true;
        }
        return any;
    }

    private static int CountPresent(Column column)
    {
        var count = 0;
        for (var i = 0; i < column.Count; i++)
        {
            if (column is StringColumn s ? !Values.IsMissing(s.Values[i]) : !column.IsMissing(i)) count++;
        }
        return count;
    }
}
