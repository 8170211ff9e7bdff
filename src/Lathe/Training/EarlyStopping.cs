using Lathe.Config;
using static TorchSharp.torch;

namespace Lathe.Training;

/// <summary>Stops when the validation metric has not improved for <c>patience</c> epochs, and puts the best
/// epoch's weights back into the model at the end.</summary>
/// <remarks>An epoch that equals the best metric with a lower validation loss is the new best too. Accuracy on a
/// validation part of a few dozen rows moves in steps of a row and often reaches its ceiling within a few epochs
/// (penguins, split seed 4: all 52 rows right from epoch 7); without the tie-break the first such epoch was kept, barely trained, and
/// training stopped <c>patience</c> epochs later although the loss was still falling (docs/benchmarks.md, "Five splits").
/// For rmse the loss orders epochs as the metric does, so nothing changes there.</remarks>
public sealed class EarlyStopping(MetricKind metric, int patience) : ITrainerCallback, IDisposable
{
    private Dictionary<string, Tensor>? _best;

    public double BestValue { get; private set; } = double.NaN;
    public int BestEpoch { get; private set; }
    /// <summary>The validation loss of <see cref="BestEpoch"/>: what breaks a tie in the metric.</summary>
    public double BestLoss { get; private set; } = double.PositiveInfinity;

    public void OnEpochEnd(TrainerState state)
    {
        var value = state.ValidationMetrics.Of(metric);
        var better = double.IsNaN(BestValue) || (metric.HigherIsBetter() ? value > BestValue : value < BestValue)
            || (value == BestValue && state.ValidationLoss < BestLoss);
        if (better)
        {
            (BestValue, BestLoss) = (value, state.ValidationLoss);
            BestEpoch = state.Epoch;
            Keep(state.Model);
        }
        else if (patience > 0 && state.Epoch - BestEpoch >= patience)
        {
            state.StopRequested = true;
        }
    }

    /// <summary>The best epoch's weights so far (null before the first epoch), for a checkpoint; the caller must not dispose them.</summary>
    public IReadOnlyDictionary<string, Tensor>? BestWeights => _best;

    /// <summary>Takes up where a checkpoint left off: the best value, its epoch, its validation loss and its weights (now owned here).</summary>
    public void Restore(double bestValue, int bestEpoch, double bestLoss, Dictionary<string, Tensor>? bestWeights)
    {
        Dispose();
        (BestValue, BestEpoch, BestLoss) = (bestValue, bestEpoch, bestLoss);
        _best = bestWeights?.ToDictionary(p => p.Key, p => p.Value.DetachFromDisposeScope());
    }

    public void OnFitEnd(TrainerState state)
    {
        if (_best is not null) state.Model.load_state_dict(_best);
    }

    private void Keep(nn.Module<Tensor, Tensor> model)
    {
        Dispose();
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        _best = model.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone().DetachFromDisposeScope());
    }

    public void Dispose()
    {
        if (_best is null) return;
        foreach (var tensor in _best.Values) tensor.Dispose();
        _best = null;
    }
}
