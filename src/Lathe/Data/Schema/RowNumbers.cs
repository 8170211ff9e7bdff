namespace Lathe.Data.Schema;

/// <summary>Finds a column that numbers the rows: 0, 1, 2, … or 1, 2, 3, … in the order they are read, with nothing
/// missing, as pandas' <c>to_csv</c> writes its index (an unnamed first column, read as <c>column_1</c>) and many exports
/// write a row number. It says where a row stood in the file: nothing a model could use on new rows, and in a file
/// sorted by the target it "predicts" the target (penguins.json written by pandas: association 0.93 with the species).
/// At least <see cref="MinRows"/> rows, so that a short column of small numbers is not taken for one.</summary>
public sealed class RowNumbers
{
    public const int MinRows = 20;

    private double _next = double.NaN;
    private long _seen;
    private bool _counts = true;

    /// <summary>Whether the column given so far numbers its rows.</summary>
    public bool Counts => _counts && _seen >= MinRows;

    /// <summary>The first number: 0 or 1.</summary>
    public double Start { get; private set; }

    /// <summary>The next <paramref name="rows"/> rows of the column (a batch of a streamed file).</summary>
    public void Add(Column column, int rows)
    {
        for (var i = 0; i < rows && _counts; i++)
        {
            var value = column switch
            {
                NumericColumn numbers => numbers.Values[i],
                StringColumn texts when texts.Values[i] is { } text && Values.TryNumber(text, out var number) => number,
                _ => double.NaN,
            };
            if (double.IsNaN(_next))
            {
                _counts = value is 0 or 1;
                _next = Start = value;
            }
            _counts = _counts && value == _next;
            _next++;
            _seen++;
        }
    }

    /// <summary>Whether <paramref name="column"/> numbers its rows, and from what.</summary>
    public static bool Number(Column column, out double start)
    {
        var counter = new RowNumbers();
        counter.Add(column, column.Count);
        start = counter.Start;
        return counter.Counts;
    }
}
