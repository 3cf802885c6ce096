using System.Globalization;

namespace GenSharp.Diffusion.Samplers;

/// <summary>
/// A sampler chosen by name with its settings, as a command line and a config.json carry it:
/// <c>ddpm</c> (ancestral, all T steps; <see cref="Variance"/> beta or beta_tilde), <c>ddim</c>
/// (<see cref="Steps"/> steps, <see cref="Eta"/>), <c>dpmpp</c> (DPM-Solver++(2M), <see cref="Steps"/> steps);
/// <see cref="Spacing"/> (leading, linspace, trailing) picks the sub-sequence of timesteps.
/// <see cref="ClipX0"/> clips the predicted x_0 to the data range [-1, 1] (images).
/// </summary>
public sealed record SamplerSpec(
    string Name = "ddim",
    int Steps = 50,
    double Eta = 0.0,
    string Spacing = "trailing",
    string Variance = "beta",
    bool ClipX0 = true)
{
    public static IReadOnlyCollection<string> Names => SamplerFactory.Names;

    public SamplerSpec Validate(int timesteps)
    {
        if (!Names.Contains(Name)) throw new ConfigException($"--sampler {Name}: use one of {string.Join(", ", Names)}");
        if (Name != "ddpm" && (Steps < 1 || Steps > timesteps))
            throw new ConfigException($"--steps {Steps}: must be between 1 and T = {timesteps}");
        if (!(Eta >= 0) || double.IsInfinity(Eta)) throw new ConfigException($"--eta {Eta}: must be a number >= 0");
        if (!TimestepTable.Spacings.Contains(Spacing)) throw new ConfigException($"--spacing {Spacing}: use one of {string.Join(", ", TimestepTable.Spacings)}");
        new AncestralSamplerConfig(Variance).Validate();
        return this;
    }

    /// <summary>The sampler this spec names, on <paramref name="diffusion"/>'s schedule.</summary>
    public IDiffusionSampler Create(GaussianDiffusion diffusion) =>
        SamplerFactory.Create(diffusion, new SamplerOptions(Name, Name == "ddpm" ? null : Steps, Name == "ddim" ? Eta : 0, Spacing, Variance, ClipX0));

    /// <summary>The network evaluations one sample costs.</summary>
    public int FunctionEvaluations(int timesteps) => Name == "ddpm" ? timesteps : Steps;

    /// <summary>A short label for tables and file names, e.g. <c>ddim-50-eta0</c>.</summary>
    public string Label => Name switch
    {
        "ddpm" => $"ddpm-{Variance}",
        "ddim" => $"ddim-{Steps}-eta{Eta.ToString("0.###", CultureInfo.InvariantCulture)}",
        _ => $"{Name}-{Steps}",
    };
}
