using System.Diagnostics;

namespace Lathe.Training;

/// <summary><c>training.max_minutes</c>: ends training at the end of the first epoch that finishes after the
/// wall-clock budget is spent, as early stopping does (the best epoch's weights are put back at the end).</summary>
/// <remarks>The clock starts when this process's fit starts: a resumed run gets the whole budget again. Where the
/// run stops depends on the machine's speed, so a time-limited run is not bit-reproducible.</remarks>
public sealed class TimeLimit(double maxMinutes, int epochs) : ITrainerCallback
{
    private readonly Stopwatch _clock = new();

    /// <summary>The epoch after which the budget ended training; 0 while it has not.</summary>
    public int StoppedAfter { get; private set; }

    public void OnFitStart(TrainerState state) => _clock.Restart();

    public void OnEpochEnd(TrainerState state)
    {
        if (maxMinutes <= 0 || state.StopRequested || state.Epoch >= epochs || _clock.Elapsed.TotalMinutes < maxMinutes) return;
        state.StopRequested = true;
        StoppedAfter = state.Epoch;
    }
}
