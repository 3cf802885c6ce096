namespace GenSharp.Diffusion.Samplers;

/// <summary>
/// Shorthand for code and tests: a sampler by name with its settings as arguments, through <see cref="SamplerRegistry"/>.
/// Arguments that differ from their defaults count as given, so one the sampler does not read is refused
/// (e.g. an eta for dpmpp), as on the command line.
/// </summary>
public static class SamplerFactory
{
    /// <summary>The registered sampler names.</summary>
    public static IReadOnlyCollection<string> Names => SamplerRegistry.Names;

    /// <summary>
    /// The sampler <paramref name="name"/> on <paramref name="diffusion"/>'s schedule; null <paramref name="steps"/> is the
    /// sampler's default (T for ddpm, min(50, T) for ddim, min(20, T) for dpmpp).
    /// </summary>
    public static IDiffusionSampler Create(
        string name, GaussianDiffusion diffusion, int? steps = null, double eta = 0, string spacing = "trailing",
        string variance = "beta", bool clip = false)
    {
        var given = new List<(SamplerSetting, string)>();
        if (steps is int k) given.Add((SamplerSetting.Steps, k.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (eta != 0) given.Add((SamplerSetting.Eta, eta.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (spacing != "trailing") given.Add((SamplerSetting.Spacing, spacing));
        if (variance != "beta") given.Add((SamplerSetting.Variance, variance));
        SamplerRegistry.RefuseNotApplicable(name, given, diffusion.Timesteps);
        return new SamplerSpec(name, steps, eta, spacing, variance, clip).Create(diffusion);
    }
}
