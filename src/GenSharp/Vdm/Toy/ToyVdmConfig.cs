using GenSharp.Pipelines;

namespace GenSharp.Vdm.Toy;

/// <summary>
/// Everything that defines a VDM run on 2D toy data (docs/vdm.md#toys); saved (resolved) as the run's config.json. The budget and the
/// MLP are every toy run's (<see cref="ToyRunConfig"/>, docs/ddpm.md#training-defaults), so that it compares with the toy DDPM at equal
/// steps; the MLP's time input is the rescaled gamma_t (<see cref="ToyVdmNetwork"/>); the schedule and its endpoints are the
/// image VDM's; samples are drawn by T = 1000 ancestral steps, the toy DDPM's T.
/// </summary>
public sealed record ToyVdmConfig : ToyRunConfig
{
    /// <summary>The model family tag written to config.json; <c>sample</c> and <c>eval</c> dispatch on it.</summary>
    public const string Kind = "vdm-toy2d";

    public ToyVdmConfig() => Model = Kind;

    /// <summary>The log-SNR schedule gamma(t) (docs/vdm.md#schedules), on the standardised data.</summary>
    public LogSnrScheduleConfig Schedule { get; init; } = new();

    /// <summary>T, the ancestral steps in SNR form of the figures and the final evaluation (eval/sample: --steps).</summary>
    public int SamplingSteps { get; init; } = 1000;

    /// <summary>Held-out points on which the final evaluation estimates the bound beside the exact NLL (eval: --bpd N).</summary>
    public int BoundPoints { get; init; } = 100_000;

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
