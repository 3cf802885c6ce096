using GenSharp.Diffusion.Conditioning;
using GenSharp.Nn;
using GenSharp.Training;

namespace GenSharp.Diffusion.Toy;

/// <summary>
/// Everything that defines a DDPM run on 2D toy data; saved (resolved) as the run's config.json.
/// Defaults are the demo's budget: trains in well under three minutes on 2 CPU cores.
/// </summary>
public sealed record ToyDdpmConfig
{
    /// <summary>The model family tag written to config.json; <c>sample</c> and <c>eval</c> dispatch on it.</summary>
    public const string Kind = "ddpm-toy2d";

    public string Model { get; init; } = Kind;

    /// <summary>
    /// For <c>toy:FILE.json</c> data, the copy of the mixture inside the run directory (relative to it, <c>mixture.json</c>),
    /// which sample and eval read, so that a run does not depend on the working folder or on the original file.
    /// </summary>
    public string? MixtureFile { get; init; }

    /// <summary>
    /// The shared settings (data <c>toy:NAME</c> or <c>toy:FILE.json</c>, the path as given, for information: see
    /// <see cref="MixtureFile"/>) at the demo's budget: 6,000 steps of batch 512, AdamW 2e-3 with 200 warm-up steps and cosine
    /// decay, EMA 0.995; the exact-metric curve every 2,000 steps on 2,000 EMA samples; 5,000 samples in the final evaluation.
    /// </summary>
    public TrainingSettings Training { get; init; } = new()
    {
        Data = "toy:mog2",
        Steps = 6000,
        Batch = 512,
        Lr = 2e-3,
        WarmupSteps = 200,
        LrDecay = "cosine",
        EmaDecay = 0.995,
        SampleEvery = 2000,
        EvalEvery = 2000,
        EvalSamples = 2000,
        FinalEvalSamples = 5000,
    };

    /// <summary>Noise schedule (docs/ddpm.md#noise-schedules): linear 1e-4..0.02 over T = 1000 by default.</summary>
    public NoiseScheduleConfig Schedule { get; init; } = new();

    /// <summary>The noise predictor eps_theta(x_t, t).</summary>
    public MlpNoisePredictorConfig Network { get; init; } = new(DataDim: 2, Hidden: 128, Layers: 3, TimeEmbedDim: 64);

    /// <summary>Ancestral sampling variance: "beta" or "beta_tilde" (docs/samplers.md#ancestral).</summary>
    public string SamplerVariance { get; init; } = "beta";

    /// <summary>Conditioning on the mixture component (<c>--condition component</c>); null (absent from config.json): unconditional.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public ConditioningConfig? Conditioning { get; init; }

    /// <summary>What the MLP predicts (epsilon or v) and the loss weighting (none or min-snr:GAMMA); docs/ddpm.md#objective.</summary>
    public DdpmObjective Objective { get; init; } = new();

    /// <summary>Per-dimension mean and std used to standardise the data (measured on a seeded sample; stored for reproducibility).</summary>
    public double[] DataMean { get; init; } = [];
    public double[] DataStd { get; init; } = [];

    /// <summary>SHA-256 of the distribution's definition (toy name or the JSON file's bytes).</summary>
    public string DataHash { get; init; } = "";

    /// <summary>Environment recorded at creation: versions, device, threads.</summary>
    public Dictionary<string, string> Environment { get; init; } = [];

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
