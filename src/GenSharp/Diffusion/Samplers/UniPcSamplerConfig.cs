namespace GenSharp.Diffusion.Samplers;

/// <summary>
/// UniPC options (Zhao et al. 2023; <see cref="UniPcSampler"/>): <paramref name="Steps"/> K (5-20 is its range) on the
/// <paramref name="Spacing"/> table (<see cref="TimestepTable"/>, multistep variant), whether to clip the data prediction to
/// [-1, 1], and diffusers' <c>steps_offset</c>. The order (2), bh2 and data prediction are fixed: diffusers' defaults.
/// </summary>
public sealed record UniPcSamplerConfig(
    int Steps = 20,
    string Spacing = "trailing",
    bool ClipX0 = false,
    int StepsOffset = 0)
{
    /// <summary>The DPM-Solver++(2M) configuration of UniPC's predictor (UniP-2 with B(h) = e^h - 1 is DPM-Solver++(2M)).</summary>
    public DpmSolverPlusPlusSamplerConfig Predictor => new(Steps, Spacing, ClipX0, StepsOffset, Order: 2);

    public UniPcSamplerConfig Validate()
    {
        if (Steps < 1) throw new ConfigException($"--steps {Steps}: UniPC needs at least 1 step");
        Predictor.Validate();
        return this;
    }
}
