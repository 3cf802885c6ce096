namespace GenSharp.Diffusion.Samplers;

/// <summary>
/// One sampler in <see cref="SamplerRegistry"/>: its <see cref="Name"/>, the record that configures it
/// (<see cref="ConfigType"/>), the network evaluations each of its steps costs, the <see cref="Settings"/> it accepts,
/// its default number of steps for T training steps, and how a validated <see cref="SamplerSpec"/> becomes its config
/// (<see cref="Configure"/>, which throws a <see cref="ConfigException"/> naming the setting) and then a sampler
/// (<see cref="Build"/>, on all T steps or, given a start T0, on the table truncated at T0).
/// </summary>
public sealed record SamplerDefinition(
    string Name,
    string Summary,
    Type ConfigType,
    int EvaluationsPerStep,
    IReadOnlyList<SamplerSetting> Settings,
    Func<int, int> DefaultSteps,
    Func<SamplerSpec, int, object> Configure,
    Func<GaussianDiffusion, object, int?, IDiffusionSampler> Build)
{
    /// <summary>A definition whose config record is <typeparamref name="TConfig"/>.</summary>
    public static SamplerDefinition Of<TConfig>(string name, string summary, int evaluationsPerStep, SamplerSetting[] settings,
        Func<int, int> defaultSteps, Func<SamplerSpec, int, TConfig> configure, Func<GaussianDiffusion, TConfig, int?, IDiffusionSampler> build)
        where TConfig : notnull =>
        new(name, summary, typeof(TConfig), evaluationsPerStep, settings, defaultSteps,
            (spec, timesteps) => configure(spec, timesteps), (diffusion, config, start) => build(diffusion, (TConfig)config, start));

    /// <summary>Whether the sampler reads <paramref name="setting"/> (every sampler reads its name).</summary>
    public bool Accepts(SamplerSetting setting) => setting == SamplerSetting.Sampler || Settings.Contains(setting);

    /// <summary>Steps K of the table walked for <paramref name="spec"/> on T = <paramref name="timesteps"/>.</summary>
    public int Steps(SamplerSpec spec, int timesteps) =>
        Accepts(SamplerSetting.Steps) && spec.Steps is int k ? k : DefaultSteps(timesteps);

    /// <summary>Network evaluations of K steps when they are not K x <see cref="EvaluationsPerStep"/> (EDM's Heun: 2K - 1).</summary>
    public Func<int, int>? Evaluations { get; init; }

    /// <summary>For a sampler without a spacing setting: the table it walks, for the refusal of <c>--spacing</c>.</summary>
    public string FixedTable { get; init; } = "walks the full table T-1..0";

    /// <summary>Network evaluations of one sample: steps x evaluations per step (or <see cref="Evaluations"/> of the steps).</summary>
    public int FunctionEvaluations(SamplerSpec spec, int timesteps) =>
        Evaluations?.Invoke(Steps(spec, timesteps)) ?? Steps(spec, timesteps) * EvaluationsPerStep;

    /// <summary>This sampler with its default settings for T = <paramref name="timesteps"/>.</summary>
    public SamplerSpec Defaults(int timesteps, bool clipX0) =>
        new(Name, Accepts(SamplerSetting.Steps) ? DefaultSteps(timesteps) : null, ClipX0: clipX0);
}
