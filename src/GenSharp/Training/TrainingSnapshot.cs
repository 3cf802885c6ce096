using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Training;

/// <summary>
/// The live objects whose state a checkpoint saves or restores: the model (parameters and buffers), an
/// optional EMA copy, the optimiser (per-parameter state and hyper-parameters), the RNG, the
/// learning-rate schedule (as JSON) and the step, plus free-form metadata.
/// </summary>
public sealed record TrainingSnapshot(nn.Module Model, nn.Module? Ema, optim.Optimizer? Optimizer, Generator? Rng)
{
    public long Step { get; init; }
    public string? LrScheduleJson { get; init; }

    /// <summary>
    /// torch's default generator (dropout draws its masks from it), saved as <c>rng_global</c> when given; restored when the
    /// checkpoint holds it (checkpoints written before it was saved resume without it).
    /// </summary>
    public Generator? GlobalRng { get; init; }

    /// <summary>Further optimisers by name (e.g. a GAN's discriminator's), saved beside the main one.</summary>
    public IReadOnlyDictionary<string, optim.Optimizer> Optimizers { get; init; } = new Dictionary<string, optim.Optimizer>();
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}

/// <summary>What <see cref="Checkpoint.Load"/> restored.</summary>
public sealed record LoadedCheckpoint(long Step, string? LrScheduleJson, IReadOnlyDictionary<string, string> Metadata);
