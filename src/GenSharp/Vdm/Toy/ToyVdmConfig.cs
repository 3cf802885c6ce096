using GenSharp.Diffusion.Toy;
using GenSharp.Nn;
using GenSharp.Pipelines;
using GenSharp.Training;

namespace GenSharp.Vdm.Toy;

/// <summary>
/// Everything that defines a VDM run on 2D toy data (docs/vdm.md#toys); saved (resolved) as the run's config.json. The budget and the
/// MLP are the toy DDPM's (docs/ddpm.md#training-defaults), so that the two compare at equal steps; the schedule and its endpoints are the
/// image VDM's; samples are drawn by T = 1000 ancestral steps, the toy DDPM's T.
/// </summary>
public sealed record ToyVdmConfig
{
    /// <summary>The model family tag written to config.json; <c>sample</c> and <c>eval</c> dispatch on it.</summary>
    public const string Kind = "vdm-toy2d";

    public string Model { get; init; } = Kind;

    /// <summary>For <c>toy:FILE.json</c> data, the copy of the mixture inside the run directory (<see cref="ToyRun.MixtureFileName"/>).</summary>
    public string? MixtureFile { get; init; }

    /// <summary>The shared settings, at the toy DDPM's defaults (6,000 steps of batch 512, AdamW 2e-3, EMA 0.995, ...).</summary>
    public TrainingSettings Training { get; init; } = new ToyDdpmConfig().Training;

    /// <summary>The log-SNR schedule gamma(t) (docs/vdm.md#schedules), on the standardised data.</summary>
    public LogSnrScheduleConfig Schedule { get; init; } = new();

    /// <summary>The noise predictor eps_hat(z_t; gamma_t): the toy DDPM's MLP, its time input the rescaled gamma_t.</summary>
    public MlpNoisePredictorConfig Network { get; init; } = new ToyDdpmConfig().Network;

    /// <summary>T, the ancestral steps in SNR form of the figures and the final evaluation (eval/sample: --steps).</summary>
    public int SamplingSteps { get; init; } = 1000;

    /// <summary>Held-out points on which the final evaluation estimates the bound beside the exact NLL (eval: --bpd N).</summary>
    public int BoundPoints { get; init; } = 100_000;

    /// <summary>Per-dimension mean and std used to standardise the data (measured on a seeded sample; stored for reproducibility).</summary>
    public double[] DataMean { get; init; } = [];
    public double[] DataStd { get; init; } = [];

    /// <summary>SHA-256 of the distribution's definition (toy name or the JSON file's bytes).</summary>
    public string DataHash { get; init; } = "";

    /// <summary>Environment recorded at creation: versions, device, threads.</summary>
    public Dictionary<string, string> Environment { get; init; } = [];

    public ToyVdmConfig Validate()
    {
        ToyRun.ValidateTraining(Training, "the 2D VDM");
        Schedule.Validate();
        Network.Validate();
        VdmConfig.CheckSteps(SamplingSteps, "--sample-steps");
        CheckBoundPoints(BoundPoints, "--bound-points");
        return this;
    }

    /// <summary>Refuses a number of held-out points for the bound outside [100, <see cref="Limits.MaxSamples"/>].</summary>
    public static void CheckBoundPoints(int points, string option)
    {
        if (points < 100 || points > Limits.MaxSamples)
            throw new ConfigException($"{option} {points}: the bound needs 100 to {Limits.MaxSamples} held-out points");
    }
}
