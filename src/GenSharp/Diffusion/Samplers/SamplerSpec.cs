namespace GenSharp.Diffusion.Samplers;

/// <summary>
/// A sampler chosen by name with its settings, as a command line and a config.json carry it (the <c>sampler</c> object:
/// name, steps, eta, spacing, variance, clip_x0). <c>ddpm</c> (ancestral, all T steps) reads <see cref="Variance"/> (beta or
/// beta_tilde); <c>ddim</c> reads <see cref="Steps"/>, <see cref="Eta"/> and <see cref="Spacing"/>; <c>dpmpp</c>
/// (DPM-Solver++(2M)) reads <see cref="Steps"/> and <see cref="Spacing"/>; all read <see cref="ClipX0"/> (clip the predicted
/// x_0 to the data range [-1, 1], for images); ddim and dpmpp read <see cref="StepsOffset"/> (diffusers' <c>steps_offset</c>,
/// added to the "leading" table; set from a diffusers scheduler config, docs/interop.md#diffusers-scheduler-configs). A null
/// <see cref="Steps"/> means the sampler's default for T (see <see cref="SamplerRegistry"/>, which validates, creates and counts);
/// settings a sampler does not read are ignored.
/// </summary>
public sealed record SamplerSpec(
    string Name = "ddim",
    int? Steps = null,
    double Eta = 0.0,
    string Spacing = "trailing",
    string Variance = "beta",
    bool ClipX0 = true,
    int StepsOffset = 0)
{
    public static IReadOnlyCollection<string> Names => SamplerRegistry.Names;

    /// <summary>This spec checked against T = <paramref name="timesteps"/>, with its default steps filled in.</summary>
    public SamplerSpec Validate(int timesteps) => SamplerRegistry.Validate(this, timesteps);

    /// <summary>The sampler this spec names, on <paramref name="diffusion"/>'s schedule (with <paramref name="start"/>: truncated at T0).</summary>
    public IDiffusionSampler Create(GaussianDiffusion diffusion, int? start = null) => SamplerRegistry.Create(this, diffusion, start);

    /// <summary>The network evaluations one sample costs (steps x evaluations per step).</summary>
    public int FunctionEvaluations(int timesteps) => SamplerRegistry.FunctionEvaluations(this, timesteps);

    /// <summary>A short label for tables and file names, e.g. <c>ddim-50-eta0</c>, <c>dpmpp-20</c>, <c>ddpm-beta</c>.</summary>
    public string Label => SamplerRegistry.Label(this);
}
