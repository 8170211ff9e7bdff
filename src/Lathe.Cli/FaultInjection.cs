using Lathe.Training;

namespace Lathe.Cli;

/// <summary>A test hook for R13: <c>LATHE_FAULT_AT=HOOK[:N]</c> makes <c>lathe train</c> throw at that callback moment —
/// <c>fit_start</c>, <c>epoch_start:EPOCH</c>, <c>batch_start:STEP</c> (before that step), <c>before_backward:STEP</c>,
/// <c>before_optimizer_step:STEP</c> (inside it), <c>batch_end:STEP</c>, <c>validation_start:EPOCH</c>,
/// <c>validation_end:EPOCH</c>, <c>epoch_end:EPOCH</c> or <c>fit_end</c> — so that the end-to-end tests can
/// check what a user sees when training breaks (exit 2, a resumable checkpoint, the resume hint, no temporary files).</summary>
internal sealed class FaultInjection(string hook, long at) : ITrainerCallback
{
    public const string Variable = "LATHE_FAULT_AT";

    /// <summary>The hook the environment asks for, or none.</summary>
    public static IReadOnlyList<ITrainerCallback> FromEnvironment()
    {
        var value = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(value)) return [];
        var parts = value.Split(':');
        if (parts[0] is not ("fit_start" or "epoch_start" or "batch_start" or "before_backward" or "before_optimizer_step" or "batch_end"
                or "validation_start" or "validation_end" or "epoch_end" or "fit_end") || parts.Length > 2
            || (parts.Length == 2 && !long.TryParse(parts[1], out _)))
            throw new LatheException($"{Variable}={value}: expected fit_start, epoch_start:EPOCH, batch_start:STEP, before_backward:STEP, " +
                "before_optimizer_step:STEP, batch_end:STEP, validation_start:EPOCH, validation_end:EPOCH, epoch_end:EPOCH or fit_end");
        return [new FaultInjection(parts[0], parts.Length == 2 ? long.Parse(parts[1]) : 0)];
    }

    public void OnFitStart(TrainerState state) => Throw("fit_start", 0);
    public void OnEpochStart(TrainerState state) => Throw("epoch_start", state.Epoch + 1);
    public void OnBatchStart(TrainerState state) => Throw("batch_start", state.Step + 1);
    public void OnBeforeBackward(TrainerState state) => Throw("before_backward", state.Step + 1);
    public void OnBeforeOptimizerStep(TrainerState state) => Throw("before_optimizer_step", state.Step + 1);
    public void OnBatchEnd(TrainerState state) => Throw("batch_end", state.Step);
    public void OnValidationStart(TrainerState state) => Throw("validation_start", state.Epoch + 1);
    public void OnValidationEnd(TrainerState state) => Throw("validation_end", state.Epoch + 1);
    public void OnEpochEnd(TrainerState state) => Throw("epoch_end", state.Epoch);
    public void OnFitEnd(TrainerState state) => Throw("fit_end", 0);

    private void Throw(string here, long position)
    {
        if (here == hook && position == at) throw new InvalidOperationException($"fault injected at {here}{(at > 0 ? $" {at}" : "")} ({Variable})");
    }
}
