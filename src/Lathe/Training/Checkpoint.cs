using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Lathe.Bundles;
using Lathe.Config;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lathe.Training;

/// <summary>Everything needed to go on training as if never stopped: the weights, the optimiser's state, the
/// schedule's and early stopping's state, the engine's random generator, the position (epoch, batch, step) and
/// the history so far. Batch order and augmentation come from (seed, epoch, batch), so the position is enough
/// for them.</summary>
/// <remarks>The file is <c>LATHECK1</c>, the SHA-256 of the rest, then length-prefixed sections: this JSON
/// header, the weights (safetensors), the optimiser (TorchSharp's state format), the generator state and the
/// best epoch's weights (safetensors, empty before the first epoch). A torn or altered file fails the hash.</remarks>
public sealed class Checkpoint
{
    public const string Folder = "checkpoints";
    public const string LastFile = "last.ckpt";
    /// <summary>The checkpoint <see cref="LastFile"/> replaced, kept so that a damaged last one has a fallback.</summary>
    public const string PreviousFile = "previous.ckpt";
    /// <summary>The best epoch's weights (safetensors), rewritten whenever an epoch beats the best so far.</summary>
    public const string BestFile = "best.safetensors";

    private static ReadOnlySpan<byte> Magic => "LATHECK1"u8;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>SHA-256 of the config as written back, so a resume with another config is refused.</summary>
    public required string ConfigHash { get; init; }
    public required string DataFingerprint { get; init; }
    /// <summary>Epochs completed.</summary>
    public required int Epoch { get; init; }
    /// <summary>Batches done in the next epoch.</summary>
    public required int Batch { get; init; }
    public required long Step { get; init; }
    public required double EpochLossSum { get; init; }
    public required bool StopRequested { get; init; }
    public required PlateauState Plateau { get; init; }
    public required double BestValue { get; init; }
    public required int BestEpoch { get; init; }
    public required IReadOnlyList<EpochRecord> History { get; init; }

    [JsonIgnore] public byte[] Weights { get; private init; } = [];
    [JsonIgnore] public byte[] Optimizer { get; private init; } = [];
    [JsonIgnore] public byte[] Generator { get; private init; } = [];
    [JsonIgnore] public byte[] Best { get; private init; } = [];

    public static string ConfigHashOf(PipelineConfig config) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ConfigWriter.Write(config))));

    /// <summary>Where training stands now; the state must be at a step or epoch boundary.</summary>
    public static Checkpoint Capture(TrainerState state, EarlyStopping? earlyStopping, string configHash, string dataFingerprint)
    {
        // Saving makes temporary tensors (contiguous copies, the generator state); the scope frees them.
        using var scope = NewDisposeScope();
        using var optimizerBytes = new MemoryStream();
        using (var writer = new BinaryWriter(optimizerBytes, Encoding.UTF8, leaveOpen: true)) Helper(state.Optimizer!).save_state_dict(writer);
        using var generator = get_rng_state();
        return new Checkpoint
        {
            ConfigHash = configHash,
            DataFingerprint = dataFingerprint,
            Epoch = state.Epoch,
            Batch = state.Batch,
            Step = state.Step,
            EpochLossSum = state.EpochLossSum,
            StopRequested = state.StopRequested,
            Plateau = state.Schedule!.Plateau,
            BestValue = earlyStopping?.BestValue ?? double.NaN,
            BestEpoch = earlyStopping?.BestEpoch ?? 0,
            History = [.. state.History],
            Weights = SafeTensors.Write(state.Model.state_dict()),
            Optimizer = optimizerBytes.ToArray(),
            Generator = generator.data<byte>().ToArray(),
            Best = earlyStopping?.BestWeights is { } best ? SafeTensors.Write(best) : [],
        };
    }

    /// <summary>Puts the weights, optimiser, schedule, generator, position and history back into <paramref name="state"/>.</summary>
    public void Restore(TrainerState state)
    {
        var weights = SafeTensors.Read(Weights, LastFile);
        try
        {
            state.Model.load_state_dict(weights);
        }
        finally
        {
            foreach (var tensor in weights.Values) tensor.Dispose();
        }
        using (var reader = new BinaryReader(new MemoryStream(Optimizer))) Helper(state.Optimizer!).load_state_dict(reader);
        state.Schedule!.Plateau = Plateau;
        using (var generator = tensor(Generator)) set_rng_state(generator);
        (state.Epoch, state.Batch, state.Step, state.EpochLossSum, state.StopRequested) = (Epoch, Batch, Step, EpochLossSum, StopRequested);
        state.History.Clear();
        state.History.AddRange(History);
    }

    /// <summary>Gives <paramref name="earlyStopping"/> back its best value, epoch, validation loss (the best epoch's in the
    /// history, so checkpoints written before the loss broke ties need no new field) and weights.</summary>
    public void Restore(EarlyStopping earlyStopping) =>
        earlyStopping.Restore(BestValue, BestEpoch, History.FirstOrDefault(e => e.Epoch == BestEpoch)?.ValidationLoss ?? double.PositiveInfinity,
            Best.Length == 0 ? null : SafeTensors.Read(Best, LastFile));

    public byte[] ToBytes()
    {
        using var body = new MemoryStream();
        using (var writer = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            foreach (var section in new[] { JsonSerializer.SerializeToUtf8Bytes(this, Json), Weights, Optimizer, Generator, Best })
            {
                writer.Write((long)section.Length);
                writer.Write(section);
            }
        }
        var bytes = body.ToArray();
        return [.. Magic, .. SHA256.HashData(bytes), .. bytes];
    }

    /// <summary>Reads a checkpoint file's bytes; a short, torn or altered file is a <see cref="CheckpointException"/>.</summary>
    public static Checkpoint FromBytes(byte[] file, string name)
    {
        var head = Magic.Length + SHA256.HashSizeInBytes;
        if (file.Length < head || !file.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new CheckpointException($"{name} is not a Lathe checkpoint (it is {file.Length} bytes and does not start with {Encoding.ASCII.GetString(Magic)})");
        if (!SHA256.HashData(file.AsSpan(head)).AsSpan().SequenceEqual(file.AsSpan(Magic.Length, SHA256.HashSizeInBytes)))
            throw new CheckpointException($"{name} is damaged: its SHA-256 does not match (a torn or altered file)");
        var sections = new byte[5][];
        var at = head;
        for (var i = 0; i < sections.Length; i++)
        {
            var length = BitConverter.ToInt64(file, at);
            sections[i] = file.AsSpan(at + 8, checked((int)length)).ToArray();
            at += 8 + (int)length;
        }
        var checkpoint = JsonSerializer.Deserialize<Checkpoint>(sections[0], Json)
                         ?? throw new CheckpointException($"{name} has an empty header");
        return new Checkpoint
        {
            ConfigHash = checkpoint.ConfigHash, DataFingerprint = checkpoint.DataFingerprint,
            Epoch = checkpoint.Epoch, Batch = checkpoint.Batch, Step = checkpoint.Step, EpochLossSum = checkpoint.EpochLossSum,
            StopRequested = checkpoint.StopRequested, Plateau = checkpoint.Plateau,
            BestValue = checkpoint.BestValue, BestEpoch = checkpoint.BestEpoch, History = checkpoint.History,
            Weights = sections[1], Optimizer = sections[2], Generator = sections[3], Best = sections[4],
        };
    }

    /// <summary>Writes <c>checkpoints/last.ckpt</c> under <paramref name="runDirectory"/> atomically, keeping the one it replaces as previous.ckpt.</summary>
    public void Save(string runDirectory)
    {
        var folder = Path.Combine(runDirectory, Folder);
        AtomicFile.WriteAllBytes(Path.Combine(folder, LastFile), ToBytes(), previous: Path.Combine(folder, PreviousFile));
    }

    /// <summary>The newest good checkpoint of a run: last.ckpt, or previous.ckpt when last.ckpt is missing or damaged
    /// (then <c>Refused</c> says why last.ckpt was passed over).</summary>
    public static (Checkpoint Checkpoint, string? Refused) Latest(string runDirectory)
    {
        var folder = Path.Combine(runDirectory, Folder);
        string? refused = null;
        foreach (var name in new[] { LastFile, PreviousFile })
        {
            var path = Path.Combine(folder, name);
            if (!File.Exists(path)) continue;
            try
            {
                return (FromBytes(File.ReadAllBytes(path), path), refused);
            }
            catch (CheckpointException e)
            {
                refused ??= e.Message;
                if (name == PreviousFile) throw new CheckpointException($"no usable checkpoint in {folder}: {refused}; {e.Message}");
            }
        }
        throw new CheckpointException(refused is null
            ? $"there is no checkpoint to resume from in {folder} (train without --resume to start a new run)"
            : $"no usable checkpoint in {folder}: {refused}, and there is no {PreviousFile}");
    }

    private static OptimizerHelper Helper(optim.Optimizer optimizer) =>
        optimizer as OptimizerHelper ?? throw new InvalidOperationException($"{optimizer.GetType().Name} cannot save its state");
}
