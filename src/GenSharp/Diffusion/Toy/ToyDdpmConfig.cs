using GenSharp.Diffusion.Conditioning;
using GenSharp.Nn;

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

    /// <summary><c>toy:NAME</c> or <c>toy:FILE.json</c> (the path as given, for information: see <see cref="MixtureFile"/>).</summary>
    public string Data { get; init; } = "toy:mog2";

    /// <summary>
    /// For <c>toy:FILE.json</c> data, the copy of the mixture inside the run directory (relative to it, <c>mixture.json</c>),
    /// which sample and eval read, so that a run does not depend on the working folder or on the original file.
    /// </summary>
    public string? MixtureFile { get; init; }

    public long Seed { get; init; } = 0;
    public long Steps { get; init; } = 6000;
    public int Batch { get; init; } = 512;
    public double Lr { get; init; } = 2e-3;
    public long WarmupSteps { get; init; } = 200;
    public string LrDecay { get; init; } = "cosine";
    public double WeightDecay { get; init; } = 0.0;
    public double GradClip { get; init; } = 1.0;
    public double EmaDecay { get; init; } = 0.995;
    public int LogEvery { get; init; } = 50;
    public int CheckpointEvery { get; init; } = 1000;
    public int SampleEvery { get; init; } = 2000;

    /// <summary>
    /// Steps between exact-metric evaluations of EMA samples during training (the metric-over-training curve,
    /// <c>--eval-every</c>); 0 = never. Null in configurations written before the option existed: every
    /// <see cref="SampleEvery"/> steps, as then.
    /// </summary>
    public int? EvalEvery { get; init; }

    /// <summary>EMA samples (and as many true samples) per evaluation of the metric-over-training curve (<c>--eval-n</c>).</summary>
    public int CurveSamples { get; init; } = 2000;

    /// <summary>Also write TensorBoard event files under tensorboard/.</summary>
    public bool TensorBoard { get; init; }

    /// <summary>Noise schedule (docs/ddpm.md#noise-schedules): linear 1e-4..0.02 over T = 1000 by default.</summary>
    public NoiseScheduleConfig Schedule { get; init; } = new();

    /// <summary>The noise predictor eps_theta(x_t, t).</summary>
    public MlpNoisePredictorConfig Network { get; init; } = new(DataDim: 2, Hidden: 128, Layers: 3, TimeEmbedDim: 64);

    /// <summary>Ancestral sampling variance: "beta" or "beta_tilde" (docs/samplers.md#ancestral).</summary>
    public string SamplerVariance { get; init; } = "beta";

    /// <summary>Conditioning on the mixture component (<c>--condition component</c>); null (absent from config.json): unconditional.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public ConditioningConfig? Conditioning { get; init; }

    /// <summary>Samples drawn for the evaluation written at the end of training.</summary>
    public int EvalSamples { get; init; } = 5000;

    /// <summary>Per-dimension mean and std used to standardise the data (measured on a seeded sample; stored for reproducibility).</summary>
    public double[] DataMean { get; init; } = [];
    public double[] DataStd { get; init; } = [];

    /// <summary>SHA-256 of the distribution's definition (toy name or the JSON file's bytes).</summary>
    public string DataHash { get; init; } = "";

    /// <summary>Environment recorded at creation: versions, device, threads.</summary>
    public Dictionary<string, string> Environment { get; init; } = [];

    /// <summary>Steps between evaluations of the metric-over-training curve (0 = never).</summary>
    public int CurveEvery() => EvalEvery ?? SampleEvery;

    public ToyDdpmConfig Validate()
    {
        if (!Data.StartsWith("toy:", StringComparison.Ordinal))
            throw new ConfigException($"--data {Data}: the 2D DDPM trains on toy data; use toy:NAME (e.g. toy:mog2) or toy:FILE.json");
        if (Batch < 2) throw new ConfigException($"--batch {Batch}: must be at least 2");
        if (!(EmaDecay >= 0 && EmaDecay < 1)) throw new ConfigException($"--ema-decay {EmaDecay}: must be in [0, 1)");
        if (SampleEvery < 1) throw new ConfigException($"--sample-every {SampleEvery}: must be at least 1");
        if (EvalEvery < 0) throw new ConfigException($"--eval-every {EvalEvery}: must be >= 0 (0 = never)");
        if (CurveSamples < 100) throw new ConfigException($"--eval-n {CurveSamples}: must be at least 100 for stable metrics");
        if (EvalSamples < 100) throw new ConfigException($"eval samples {EvalSamples}: must be at least 100");
        if (SamplerVariance is not ("beta" or "beta_tilde"))
            throw new ConfigException($"--sampler-variance {SamplerVariance}: use beta or beta_tilde");
        Schedule.Validate();
        Conditioning?.Validate(resolved: DataHash.Length > 0); // class names are filled in when the run is created
        return this;
    }
}
