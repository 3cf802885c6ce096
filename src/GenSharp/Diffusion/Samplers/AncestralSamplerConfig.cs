namespace GenSharp.Diffusion.Samplers;

/// <summary>
/// Ancestral DDPM sampling options (SPEC §2.3): the reverse variance sigma_t^2 is either beta_t
/// ("beta", the upper bound, right for x_0 ~ N(0, I)) or beta_tilde_t ("beta_tilde", the lower bound,
/// right for a deterministic x_0). Ho et al. found both give similar samples. <paramref name="ClipX0"/>
/// clips x0_hat to [-1, 1] before forming the mean (for image data in [-1, 1]; off by default).
/// </summary>
public sealed record AncestralSamplerConfig(string Variance = "beta", bool ClipX0 = false)
{
    public static readonly string[] Variances = ["beta", "beta_tilde"];

    public AncestralSamplerConfig Validate() =>
        Variances.Contains(Variance) ? this : throw new ConfigException($"--variance {Variance}: use beta or beta_tilde");
}
