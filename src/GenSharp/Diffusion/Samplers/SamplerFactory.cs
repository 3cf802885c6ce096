namespace GenSharp.Diffusion.Samplers;

/// <summary>
/// What a command line asks of a sampler: its name ("ddpm", "ddim", "dpmpp") and the options that apply to
/// it. <see cref="Steps"/> null means the sampler's default (T for ddpm, min(50, T) for ddim, min(20, T) for
/// dpmpp); <see cref="Eta"/> is DDIM's only; <see cref="Variance"/> (beta | beta_tilde) is ancestral DDPM's
/// only; <see cref="Spacing"/> and <see cref="StepsOffset"/> choose the <see cref="TimestepTable"/>;
/// <see cref="ClipX0"/> clips x0_hat to [-1, 1] (image data).
/// </summary>
public sealed record SamplerOptions(
    string Name = "ddpm",
    int? Steps = null,
    double Eta = 0,
    string Spacing = "trailing",
    string Variance = "beta",
    bool ClipX0 = false,
    int StepsOffset = 0);

/// <summary>
/// Samplers by name, in one explicit place: a new sampler is one file plus one line in
/// <see cref="Makers"/>. Unknown names and options a sampler cannot honour are refused with a
/// <see cref="ConfigException"/> naming the flag.
/// </summary>
public static class SamplerFactory
{
    private static readonly Dictionary<string, Func<GaussianDiffusion, SamplerOptions, IDiffusionSampler>> Makers = new(StringComparer.Ordinal)
    {
        ["ddpm"] = (d, o) => new AncestralSampler(d, new AncestralSamplerConfig(o.Variance, o.ClipX0)),
        ["ddim"] = (d, o) => new DdimSampler(d, new DdimSamplerConfig(o.Steps ?? Math.Min(50, d.Timesteps), o.Eta, o.Spacing, o.ClipX0, o.StepsOffset)),
        ["dpmpp"] = (d, o) => new DpmSolverPlusPlusSampler(d, new DpmSolverPlusPlusSamplerConfig(o.Steps ?? Math.Min(20, d.Timesteps), o.Spacing, o.ClipX0, o.StepsOffset)),
    };

    /// <summary>The registered sampler names.</summary>
    public static IReadOnlyCollection<string> Names => Makers.Keys;

    /// <summary>The sampler <paramref name="options"/> names, configured for <paramref name="diffusion"/>.</summary>
    public static IDiffusionSampler Create(GaussianDiffusion diffusion, SamplerOptions options)
    {
        if (!Makers.TryGetValue(options.Name, out var make))
            throw new ConfigException($"--sampler {options.Name}: unknown; use one of {string.Join(", ", Makers.Keys)}");
        if (options.Name == "ddpm" && options.Steps is int k && k != diffusion.Timesteps)
            throw new ConfigException($"--steps {k}: ddpm runs all {diffusion.Timesteps} steps; for fewer stochastic steps use --sampler ddim --eta 1");
        if (options.Name == "ddpm" && options.StepsOffset != 0) // every spacing gives the same full table T-1..0
            throw new ConfigException($"--steps-offset {options.StepsOffset}: ddpm runs the full table T-1..0; the offset applies to ddim and dpmpp");
        if (!TimestepTable.Spacings.Contains(options.Spacing))
            throw new ConfigException($"--spacing {options.Spacing}: unknown; use one of {string.Join(", ", TimestepTable.Spacings)}");
        if (options.Name != "ddim" && options.Eta != 0)
            throw new ConfigException($"--eta {options.Eta}: only ddim has an eta; drop it or use --sampler ddim");
        return make(diffusion, options);
    }

    /// <summary>Shorthand for <see cref="Create(GaussianDiffusion, SamplerOptions)"/>.</summary>
    public static IDiffusionSampler Create(
        string name, GaussianDiffusion diffusion, int? steps = null, double eta = 0, string spacing = "trailing",
        string variance = "beta", bool clip = false) =>
        Create(diffusion, new SamplerOptions(name, steps, eta, spacing, variance, clip));
}
