namespace GenSharp.Diffusion.Samplers;

/// <summary>
/// DPM-Solver++ options (Lu et al. 2022): <paramref name="Steps"/> K (10-25 is its range) on the
/// <paramref name="Spacing"/> table (<see cref="TimestepTable"/>), whether to clip the data prediction
/// x0_hat to [-1, 1] (off for general data; image recipes turn it on), and the multistep <paramref name="Order"/>
/// (2: DPM-Solver++(2M), 3: DPM-Solver++(3M)).
/// </summary>
public sealed record DpmSolverPlusPlusSamplerConfig(
    int Steps = 20,
    string Spacing = "trailing",
    bool ClipX0 = false,
    int StepsOffset = 0,
    int Order = 2)
{
    public DpmSolverPlusPlusSamplerConfig Validate()
    {
        if (Order is not (2 or 3)) throw new ConfigException($"DPM-Solver++ order {Order}: 2 (2M) or 3 (3M)");
        if (Steps < 1) throw new ConfigException($"--steps {Steps}: DPM-Solver++ needs at least 1 step");
        if (!TimestepTable.Spacings.Contains(Spacing))
            throw new ConfigException($"--spacing {Spacing}: unknown; use one of {string.Join(", ", TimestepTable.Spacings)}");
        return this;
    }
}
