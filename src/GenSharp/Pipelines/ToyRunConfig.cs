using GenSharp.Nn;
using GenSharp.Training;

namespace GenSharp.Pipelines;

/// <summary>
/// What every 2D toy run's config.json holds, whatever its family (the toy DDPM, docs/ddpm.md; the toy VDM, docs/vdm.md#toys): the data,
/// the shared training settings at the toy budget, the MLP noise predictor, and what is measured when the run is created (the data's
/// standardisation and hash, the environment). A family's config derives from it, sets <see cref="Model"/> and adds its process.
/// </summary>
public abstract record ToyRunConfig
{
    /// <summary>The model family tag written to config.json; <c>sample</c> and <c>eval</c> dispatch on it.</summary>
    public string Model { get; init; } = "";

    /// <summary>
    /// For <c>toy:FILE.json</c> data, the copy of the mixture inside the run directory (relative to it, <see cref="ToyRun.MixtureFileName"/>),
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

    /// <summary>The noise predictor eps_theta(x_t, t).</summary>
    public MlpNoisePredictorConfig Network { get; init; } = new(DataDim: 2, Hidden: 128, Layers: 3, TimeEmbedDim: 64);

    /// <summary>Per-dimension mean and std used to standardise the data (measured on a seeded sample; stored for reproducibility).</summary>
    public double[] DataMean { get; init; } = [];
    public double[] DataStd { get; init; } = [];

    /// <summary>SHA-256 of the distribution's definition (toy name or the JSON file's bytes).</summary>
    public string DataHash { get; init; } = "";

    /// <summary>Environment recorded at creation: versions, device, threads.</summary>
    public Dictionary<string, string> Environment { get; init; } = [];
}
