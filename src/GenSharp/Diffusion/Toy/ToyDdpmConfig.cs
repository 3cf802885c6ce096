using GenSharp.Diffusion.Conditioning;
using GenSharp.Nn;
using GenSharp.Training;

namespace GenSharp.Diffusion.Toy;

/// <summary>
/// Everything that defines a DDPM run on 2D toy data; saved (resolved) as the run's config.json.
/// Defaults are the demo's budget: trains in well under three minutes on 2 CPU cores.
/// </summary>
public sealed record ToyDdpmConfig : Pipelines.ToyRunConfig
{
    /// <summary>The model family tag written to config.json; <c>sample</c> and <c>eval</c> dispatch on it.</summary>
    public const string Kind = "ddpm-toy2d";

    public ToyDdpmConfig() => Model = Kind;

    /// <summary>Noise schedule (docs/ddpm.md#noise-schedules): linear 1e-4..0.02 over T = 1000 by default.</summary>
    public NoiseScheduleConfig Schedule { get; init; } = new();

    /// <summary>Ancestral sampling variance: "beta" or "beta_tilde" (docs/samplers.md#ancestral).</summary>
    public string SamplerVariance { get; init; } = "beta";

    /// <summary>Conditioning on the mixture component (<c>--condition component</c>); null (absent from config.json): unconditional.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public ConditioningConfig? Conditioning { get; init; }

    /// <summary>What the MLP predicts (epsilon or v) and the loss weighting (none or min-snr:GAMMA); docs/ddpm.md#objective.</summary>
    public DdpmObjective Objective { get; init; } = new();

    public ToyDdpmConfig Validate()
    {
        Pipelines.ToyRun.ValidateTraining(Training, "the 2D DDPM");
        if (SamplerVariance is not ("beta" or "beta_tilde"))
            throw new ConfigException($"--sampler-variance {SamplerVariance}: use beta or beta_tilde");
        Schedule.Validate();
        Objective.Validate();
        if (Conditioning is not null && Objective.Prediction != DdpmObjective.Epsilon)
            throw new ConfigException(
                $"--prediction {Objective.Prediction}: class-conditional runs predict epsilon only; drop --prediction or --condition");
        Conditioning?.Validate(resolved: DataHash.Length > 0); // class names are filled in when the run is created
        return this;
    }
}
