using Lathe.Config;
using Lathe.Data.Schema;

namespace Lathe.Data.Profiling;

/// <summary>A whole table's profile gathered batch by batch in bounded memory: a <see cref="ColumnSketch"/> per
/// column, a seeded reservoir sample of <see cref="SampleRows"/> rows (histograms and associations with the target),
/// exact class counts of the target, and one 64-bit hash per row (8 bytes a row) to count duplicate rows.</summary>
internal sealed class ProfileSketch
{
    public const int SampleRows = 100_000;
    private const int HashChunk = 1 << 20;
    private const ulong MissingClass = 0;

    private readonly string _source;
    private readonly string? _target;
    private readonly TaskKind _task;
    private readonly ColumnSketch[] _columns;
    private readonly double[]?[] _sampleNumbers;
    private readonly string?[]?[] _sampleTexts;
    private readonly Random _random = new(42);
    private readonly List<ulong[]> _hashes = [];
    private readonly Dictionary<string, int> _classes = new(StringComparer.Ordinal);
    private readonly bool _images;
    private long _rows;
    private int _sampled, _quarantined;

    public ProfileSketch(string source, DataSchema schema, string? target, TaskKind task, bool images)
    {
        _source = source;
        _target = target;
        _task = task;
        _images = images;
        _columns = schema.Columns.Select(c => new ColumnSketch(c)).ToArray();
        _sampleNumbers = _columns.Select(c => c.Spec.Type == ColumnType.Numeric ? new double[SampleRows] : null).ToArray();
        _sampleTexts = _columns.Select(c => c.Spec.Type is ColumnType.Numeric or ColumnType.Image ? null : new string?[SampleRows]).ToArray();
    }

    public void Add(Table batch)
    {
        var columns = _columns.Select(c => batch.Contains(c.Spec.Name) ? batch[c.Spec.Name] : null).ToArray();
        for (var c = 0; c < columns.Length; c++) _columns[c].Add(columns[c], batch.RowCount);
        _quarantined += batch.Quarantined.Count;
        if (_target is not null && _task == TaskKind.Classification && batch.Contains(_target))
        {
            var target = batch[_target];
            for (var r = 0; r < batch.RowCount; r++)
                if (ColumnSketch.Text(target, r) is { } value && (_classes.Count < DataProfiler.MaxDistinct || _classes.ContainsKey(value)))
                    _classes[value] = _classes.GetValueOrDefault(value) + 1;
        }
        for (var r = 0; r < batch.RowCount; r++, _rows++)
        {
            if (!_images) Hash(columns, r);
            // Reservoir sampling (algorithm R): row n replaces a random slot with probability SampleRows / (n + 1).
            var slot = _rows < SampleRows ? (int)_rows : _random.NextInt64(_rows + 1) is var j && j < SampleRows ? (int)j : -1;
            if (slot < 0) continue;
            _sampled = Math.Max(_sampled, slot + 1);
            for (var c = 0; c < columns.Length; c++)
            {
                if (_sampleNumbers[c] is { } numbers) numbers[slot] = columns[c] is { } column ? ColumnSketch.Number(column, r, out _, out _) : double.NaN;
                else if (_sampleTexts[c] is { } texts) texts[slot] = columns[c] is { } column ? ColumnSketch.Text(column, r) : null;
            }
        }
    }

    private void Hash(Column?[] columns, int row)
    {
        var hash = 0x243F6A8885A308D3UL;
        for (var c = 0; c < columns.Length; c++)
            hash = HyperLogLog.Mix(hash ^ (columns[c] is { } column ? ColumnSketch.HashOf(column, row) : MissingClass) + (ulong)c);
        var at = (int)(_rows % HashChunk);
        if (at == 0) _hashes.Add(new ulong[HashChunk]);
        _hashes[^1][at] = hash;
    }

    /// <summary>Rows whose hash an earlier row already had: the hashes sorted, equal neighbours counted.</summary>
    private int DuplicateRows()
    {
        if (_images || _rows == 0) return 0;
        var all = new ulong[_rows];
        for (var k = 0; k < _hashes.Count; k++)
            _hashes[k].AsSpan(0, (int)Math.Min(HashChunk, _rows - (long)k * HashChunk)).CopyTo(all.AsSpan(k * HashChunk));
        _hashes.Clear();
        Array.Sort(all);
        var duplicates = 0;
        for (var i = 1; i < all.Length; i++)
            if (all[i] == all[i - 1]) duplicates++;
        return duplicates;
    }

    public DataProfile ToProfile()
    {
        var sample = new Table(_columns.Select((c, k) => _sampleNumbers[k] is { } numbers
            ? (Column)new NumericColumn(c.Spec.Name, numbers[.._sampled])
            : new StringColumn(c.Spec.Name, _sampleTexts[k] is { } texts ? texts[.._sampled] : new string?[_sampled])).ToArray(), _source);
        var targetValues = _target is null ? null : DataProfiler.TargetValues(sample[_target], _task);
        var profiles = new List<ColumnProfile>();
        for (var k = 0; k < _columns.Length; k++)
        {
            var spec = _columns[k].Spec;
            var present = _sampleNumbers[k]?[.._sampled].Where(v => !double.IsNaN(v)).ToArray();
            var column = _columns[k].ToProfile(present);
            if (targetValues is not null && spec.Name != _target && spec.Type is not (ColumnType.Text or ColumnType.Image))
                column = column with { Association = DataProfiler.Associate(sample[spec.Name], spec.Type, targetValues, _task, out var measure), AssociationMeasure = measure };
            profiles.Add(column);
        }
        var profile = new DataProfile
        {
            Source = _source,
            Rows = checked((int)_rows),
            Quarantined = _quarantined,
            Target = _target,
            Columns = profiles,
            DuplicateRows = DuplicateRows(),
            ConstantColumns = profiles.Where(c => c.Distinct <= 1 && c.Type != ColumnType.Image).Select(c => c.Name).ToArray(),
            TargetBalance = _classes.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value)).ToArray(),
            SampleRows = _rows > _sampled ? _sampled : null,
        };
        return profile with { Warnings = DataProfiler.Warn(profile, _task) };
    }
}
