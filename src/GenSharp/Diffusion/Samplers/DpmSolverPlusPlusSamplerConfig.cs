namespace GenSharp.Diffusion.Samplers;

/// <summary>
/// DPM-Solver++(2M) options (Lu et al. 2022): <paramref name="Steps"/> K (10-25 is its range) on the
/// <paramref name="Spacing"/> table (<see cref="TimestepTable"/>), and whether to clip the data prediction
/// x0_hat to [-1, 1] (off for general data; image recipes turn it on).
/// </summary>
public sealed record DpmSolverPlusPlusSamplerConfig(
    int Steps = 20,
    string Spacing = "trailing",
    bool ClipX0 = false,
    int StepsOffset = 0)
{
    public DpmSolverPlusPlusSamplerConfig Validate()
    {
        if (Steps < 1) throw new ConfigException($"--steps {Steps}: DPM-Solver++ needs at least 1 step");
        if (!TimestepTable.Spacings.Contains(Spacing))
            throw new ConfigException($"--spacing {Spacing}: unknown; use one of {string.Join(", ", TimestepTable.Spacings)}");
        return this;
    }
}
