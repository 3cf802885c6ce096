using GenSharp.Diffusion.Conditioning;
using GenSharp.Data;
using GenSharp.Diffusion.Samplers;
using GenSharp.Nn;
using GenSharp.Pipelines;

namespace GenSharp.Diffusion.Images;

/// <summary>
/// Everything that defines a DDPM run on images (docs/ddpm.md, docs/samplers.md, docs/unet.md); saved (resolved) as config.json.
/// Defaults: the reference U-Net "ddpm-unet" on Fashion-MNIST, linear betas, AdamW 2e-4 (the course's
/// optimiser), EMA 0.999, gradient clipping 1.0, and a CPU-affordable number of steps (the shared settings
/// and their defaults are <see cref="ImageRunConfig"/>'s).
/// </summary>
public sealed record ImageDdpmConfig : ImageRunConfig
{
    /// <summary>The model family tag written to config.json; <c>sample</c> and <c>eval</c> dispatch on it.</summary>
    public const string Kind = "ddpm-image";

    public ImageDdpmConfig() => Model = Kind;

    /// <summary>
    /// Training arithmetic: <c>fp32</c>, or <c>bf16</c> mixed precision (forward and backward on a bfloat16
    /// copy of the U-Net, fp32 master weights for the optimiser, EMA and checkpoints; see
    /// <see cref="GenSharp.Training.MixedPrecision"/>). Sampling and evaluation always run in fp32.
    /// </summary>
    public string Precision { get; init; } = GenSharp.Training.TrainingPrecision.Fp32;

    /// <summary>Noise schedule (docs/ddpm.md#noise-schedules): linear 1e-4..0.02 over T = 1000 by default.</summary>
    public NoiseScheduleConfig Schedule { get; init; } = new();

    /// <summary>What the U-Net predicts (epsilon or v) and the loss weighting (none or min-snr:GAMMA); docs/ddpm.md#objective.</summary>
    public DdpmObjective Objective { get; init; } = new();

    /// <summary>The noise predictor: the reference U-Net (1,112,801 parameters at ch = 32 on 28x28x1).</summary>
    public UNetConfig Network { get; init; } = new();

    /// <summary>The sampler used for grids and evaluations during training and by default afterwards.</summary>
    public SamplerSpec Sampler { get; init; } = new();

    /// <summary>
    /// Samplers whose FD is measured beside <see cref="Sampler"/>'s at every evaluation during training (<c>--eval-samplers</c>), in the
    /// same eval_curve.jsonl record as <c>fd@LABEL</c>; empty (the default): the run's own sampler only.
    /// </summary>
    public SamplerSpec[] EvalSamplers { get; init; } = [];

    /// <summary>Class conditioning with classifier-free guidance (<c>--condition class</c>); null (absent from config.json):
    /// unconditional.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public ConditioningConfig? Conditioning { get; init; }

    public override ImageDdpmConfig Validate()
    {
        if (DataSpec.Parse(Training.Data) is DataSpec.Toy)
            throw new ConfigException($"--data {Training.Data}: image DDPM needs images; use fashion-mnist or png:DIR " +
                $"(toy data trains the 2D DDPM)");
        ValidateShared();
        GenSharp.Training.TrainingPrecision.Validate(Precision);
        Schedule.Validate();
        Objective.Validate();
        if (Conditioning is not null && Objective.Prediction != DdpmObjective.Epsilon)
            throw new ConfigException(
                $"--prediction {Objective.Prediction}: class-conditional runs predict epsilon only; drop --prediction or --condition");
        Network.Validate();
        Sampler.Validate(Schedule.Timesteps);
        foreach (var spec in EvalSamplers) spec.Validate(Schedule.Timesteps);
        Conditioning?.Validate(resolved: ImageShape.Length > 0); // class names are filled in when the run is created
        return this;
    }
}
