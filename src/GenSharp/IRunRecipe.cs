using GenSharp.Training;
using TorchSharp;

namespace GenSharp;

/// <summary>
/// What <c>gensharp sample</c> and <c>gensharp eval</c> need from a model family: given a run directory
/// written by that family's trainer, draw samples and evaluate them. Families are registered by the
/// <c>model</c> field of config.json in <see cref="Registry"/>.
/// </summary>
public interface IRunRecipe
{
    /// <summary>The <c>model</c> tag in config.json, e.g. <c>ddpm-toy2d</c>.</summary>
    string Kind { get; }

    /// <summary>Draws <paramref name="request"/>.N samples from the run's EMA weights and writes them under samples/.</summary>
    SampleOutcome Sample(RunDirectory run, SampleRequest request, torch.Device device);

    /// <summary>Samples, scores against the family's yardstick, writes eval.json and refreshes report.html.</summary>
    EvalOutcome Evaluate(RunDirectory run, EvalRequest request, torch.Device device);
}

/// <summary>
/// Options of <c>gensharp sample</c>; <paramref name="Shard"/> draws one shard of the N, <paramref name="Batch"/> &gt; 0 sets the block
/// size of image draws (docs/scale-out.md#noise).
/// </summary>
public sealed record SampleRequest(int N, long Seed, string? Output = null, bool Quiet = false, Diffusion.Samplers.SamplerSpec? Sampler = null,
    Score.Samplers.AnnealedLangevinOverrides? Langevin = null, Pipelines.SampleShard? Shard = null, int Batch = 0);

/// <summary>What a sampling call produced.</summary>
public sealed record SampleOutcome(IReadOnlyList<string> Files, int N, double Seconds, int FunctionEvaluations)
{
    public double SamplesPerSecond => N / Math.Max(Seconds, 1e-9);
}

/// <summary>Options of <c>gensharp eval RUN_DIR</c>.</summary>
public sealed record EvalRequest(int N, long Seed, bool Quiet = false, Diffusion.Samplers.SamplerSpec? Sampler = null, int BitsPerDimImages = 0,
    bool Figures = true,
    Score.Samplers.AnnealedLangevinOverrides? Langevin = null);

/// <summary>
/// The metrics written to eval.json, as name -> value (null where not applicable), and the feature network image
/// metrics were computed with (null for 2D runs, or when image metrics were skipped).
/// </summary>
public sealed record EvalOutcome(string EvalPath, IReadOnlyDictionary<string, double?> Metrics, string? Features = null);
