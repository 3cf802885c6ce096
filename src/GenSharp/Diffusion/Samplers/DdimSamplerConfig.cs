namespace GenSharp.Diffusion.Samplers;

/// <summary>
/// DDIM options (Song et al. 2021; docs/samplers.md#ddim): <paramref name="Steps"/> K of the T training steps on the
/// <paramref name="Spacing"/> table (<see cref="TimestepTable"/>), the noise scale <paramref name="Eta"/>
/// (0 deterministic, 1 = DDPM's posterior variance beta_tilde on the strided chain), and whether to clip
/// x0_hat to [-1, 1] (off for general data; image recipes turn it on).
/// </summary>
public sealed record DdimSamplerConfig(
    int Steps = 50,
    double Eta = 0,
    string Spacing = "trailing",
    bool ClipX0 = false,
    int StepsOffset = 0)
{
    public DdimSamplerConfig Validate()
    {
        if (Steps < 1) throw new ConfigException($"--steps {Steps}: DDIM needs at least 1 step");
        if (!(Eta >= 0) || double.IsInfinity(Eta))
            throw new ConfigException($"--eta {Eta}: must be a finite number >= 0 (0 = deterministic DDIM, 1 = DDPM-like)");
        if (!TimestepTable.Spacings.Contains(Spacing))
            throw new ConfigException($"--spacing {Spacing}: unknown; use one of {string.Join(", ", TimestepTable.Spacings)}");
        return this;
    }
}
