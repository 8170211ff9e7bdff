using Lathe.Config;
using Lathe.Data.Cleaning;
using Lathe.Data.Schema;

namespace Lathe.Data.Pipeline;

/// <summary>The data half of a run, ready for a model: the problem as decided (task, metric, target), the
/// three parts as raw rows, the pipeline fitted on the training part, what was set aside on the way, and the
/// fingerprint of the data read (<see cref="Sources.DataSource.Fingerprint"/>).</summary>
/// <param name="TrainInput">The training part as the model sees it: the fitted steps' output for those rows, with
/// out-of-fold values where a step gives them (target encoding). Validation and test rows go through
/// <see cref="FittedPipeline.TransformTable"/>.</param>
/// <param name="MadeMissing">With <c>data.bad_values: missing</c>, per column, the values that did not fit its type and were made missing.</param>
public sealed record PreparedData(
    TaskKind Task,
    MetricKind Metric,
    FittedTarget Target,
    DataSchema Schema,
    FittedPipeline Pipeline,
    Table Train,
    Table TrainInput,
    Table Validation,
    Table Test,
    RowCounts Rows,
    IReadOnlyList<QuarantinedRow> Quarantined,
    string Fingerprint,
    IReadOnlyDictionary<string, int>? MadeMissing = null)
{
    /// <summary>What the reader decided about the files' layout (<see cref="Table.Notes"/>), the training file's first.</summary>
    public IReadOnlyList<ReadNote> ReadNotes { get; init; } = [];
    /// <summary>The decimal mark and date order the training file was read with (<see cref="Table.Found"/>); null for a
    /// source that is not delimited text.</summary>
    public Sources.CsvLayout? Found { get; init; }
}
