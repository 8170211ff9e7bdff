using System.Text;

namespace Lathe.Data.Cleaning;

/// <summary>Rows set aside, written as they are found in <see cref="Quarantine"/>'s layout (<c>line</c>, <c>reason</c>,
/// <c>raw</c>): <c>lathe predict --bad-rows</c> streams a file of any length, so its set-aside rows are not held in
/// memory. The caller hands them over in line order.</summary>
public sealed class QuarantineWriter : IDisposable
{
    private readonly StreamWriter _writer;
    private readonly StringBuilder _line = new();

    public QuarantineWriter(Stream stream)
    {
        _writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        _writer.WriteLine(Quarantine.Header);
    }

    /// <summary>How many rows have been written.</summary>
    public long Count { get; private set; }

    /// <summary>The first row written, for a summary naming it.</summary>
    public QuarantinedRow? First { get; private set; }

    public void Write(QuarantinedRow row)
    {
        First ??= row;
        Count++;
        _writer.WriteLine(Quarantine.Append(_line.Clear(), row));
    }

    public void Dispose() => _writer.Dispose();
}
