using static TorchSharp.torch;

namespace Lathe.Training;

/// <summary>What a training step's forward pass changes besides the gradients, as the step found it: the engine's
/// generator (dropout draws from it) and the model's buffers (batch norm's running statistics and count). Taken only
/// when a callback listens inside the step (<see cref="Wanted"/>): an exception there then leaves the state of the
/// last finished step, which is what a checkpoint holds and what resuming needs to go on bit for bit. The copies
/// belong to the step's dispose scope.</summary>
internal sealed class StepStart
{
    private readonly Tensor _generator;
    private readonly (Tensor Buffer, Tensor Copy)[] _buffers;

    private StepStart(Tensor generator, (Tensor, Tensor)[] buffers) => (_generator, _buffers) = (generator, buffers);

    public static StepStart Take(nn.Module<Tensor, Tensor> model)
    {
        using var _ = no_grad();
        return new StepStart(get_rng_state(), [.. model.buffers().Select(b => (b, b.detach().clone()))]);
    }

    public void Restore()
    {
        using var _ = no_grad();
        set_rng_state(_generator);
        foreach (var (buffer, copy) in _buffers) buffer.copy_(copy);
    }

    /// <summary>Whether any callback implements a hook inside the step (<see cref="ITrainerCallback.OnBeforeBackward"/>,
    /// <see cref="ITrainerCallback.OnBeforeOptimizerStep"/>) rather than inheriting the empty default; decided once per
    /// fit, so a run without such a callback copies nothing.</summary>
    public static bool Wanted(IEnumerable<ITrainerCallback> callbacks) => callbacks.Any(callback =>
    {
        var map = callback.GetType().GetInterfaceMap(typeof(ITrainerCallback));
        return map.InterfaceMethods.Zip(map.TargetMethods).Any(m =>
            m.First.Name is nameof(ITrainerCallback.OnBeforeBackward) or nameof(ITrainerCallback.OnBeforeOptimizerStep)
            && m.Second.DeclaringType != typeof(ITrainerCallback));
    });
}
