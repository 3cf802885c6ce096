using static GenSharp.Diffusion.Samplers.SamplerSetting;

namespace GenSharp.Diffusion.Samplers;

/// <summary>
/// Diffusion samplers by name, in one explicit place (nothing registers itself): a new sampler is one file, its config
/// record, and one entry in <see cref="All"/>. Validation of a <see cref="SamplerSpec"/> happens here: the name, the
/// settings the sampler reads (through its config record and its <see cref="TimestepTable"/>), and refusals of settings
/// it does not read. Messages name the flags of <see cref="SamplerFlags.Default"/>; a command with other spellings
/// rewrites them with <see cref="SamplerFlags.Respell"/>.
/// </summary>
public static class SamplerRegistry
{
    public static readonly IReadOnlyList<SamplerDefinition> All = Unique(
        SamplerDefinition.Of("ddpm", "ancestral DDPM, all T steps", 1, [Variance], t => t,
            (spec, _) => new AncestralSamplerConfig(spec.Variance, spec.ClipX0).Validate(),
            (diffusion, config, start) => new AncestralSampler(diffusion, config, start)),
        SamplerDefinition.Of("ddim", "DDIM, K steps, eta 0 deterministic to 1 DDPM-like", 1, [Steps, Eta, Spacing], t => Math.Min(50, t),
            (spec, t) =>
            {
                var c = new DdimSamplerConfig(spec.Steps ?? 0, spec.Eta, spec.Spacing, spec.ClipX0, spec.StepsOffset).Validate();
                TimestepTable.Check(t, c.Steps, c.Spacing, c.StepsOffset); // checks K against T before any sampling
                return c;
            },
            (diffusion, config, start) => new DdimSampler(diffusion, config, start)),
        DpmSolverPlusPlus("dpmpp", "DPM-Solver++(2M), K steps, 10-25 typical", order: 2),
        DpmSolverPlusPlus("dpmpp3", "DPM-Solver++(3M), K steps, 5-20 typical; --spacing logsnr for few steps", order: 3),
        SamplerDefinition.Of("unipc", "UniPC (bh2, order 2): DPM-Solver++(2M) + corrector, K steps, 5-20 typical", 1, [Steps, Spacing],
            t => Math.Min(20, t),
            (spec, t) =>
            {
                var c = new UniPcSamplerConfig(spec.Steps ?? 0, spec.Spacing, spec.ClipX0, spec.StepsOffset).Validate();
                TimestepTable.Check(t, c.Steps, c.Spacing, c.StepsOffset, multistep: true);
                return c;
            },
            (diffusion, config, start) => new UniPcSampler(diffusion, config, start)),
        SamplerDefinition.Of("heun", "EDM's Heun (Karras et al. 2022) on Karras sigmas, K steps = 2K-1 evaluations, 18 typical", 2, [Steps],
            t => Math.Min(18, t),
            (spec, t) =>
            {
                var c = new HeunSamplerConfig(spec.Steps ?? 0, spec.ClipX0).Validate();
                TimestepTable.Check(t, c.Steps, TimestepTable.Karras);
                return c;
            },
            (diffusion, config, start) => new HeunSampler(diffusion, config, start))
            with { Evaluations = HeunSamplerConfig.Evaluations, FixedTable = "steps on Karras et al.'s noise levels (rho = 7)" });

    /// <summary>The registered names, in registration order.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(d => d.Name).ToList();

    /// <summary>The sampler called <paramref name="name"/>; unknown names are a one-line error listing the known ones.</summary>
    public static SamplerDefinition Find(string name) =>
        All.FirstOrDefault(d => d.Name == name)
        ?? throw new ConfigException($"--sampler {name}: unknown; use one of {string.Join(", ", Names)}");

    /// <summary>
    /// Checks <paramref name="spec"/> against T = <paramref name="timesteps"/> and returns it with its default steps filled
    /// in (a null <see cref="SamplerSpec.Steps"/> means the sampler's default for T). Settings the sampler does not read are
    /// ignored here (config.json of older runs carries them all); <see cref="RefuseNotApplicable"/> refuses typed ones.
    /// </summary>
    public static SamplerSpec Validate(SamplerSpec spec, int timesteps)
    {
        var definition = Find(spec.Name);
        var resolved = Resolve(definition, spec, timesteps);
        definition.Configure(resolved, timesteps);
        return resolved;
    }

    /// <summary>
    /// The sampler <paramref name="spec"/> names, configured for <paramref name="diffusion"/>'s schedule; with <paramref name="start"/> T0,
    /// on the table truncated at T0 (its steps checked against T0 and defaulting as for T = T0; docs/latent-diffusion.md#es-ddpm).
    /// </summary>
    public static IDiffusionSampler Create(SamplerSpec spec, GaussianDiffusion diffusion, int? start = null)
    {
        var definition = Find(spec.Name);
        int steps = TimestepTable.Start(diffusion.Timesteps, start);
        var config = definition.Configure(Resolve(definition, spec, steps), steps);
        return definition.Build(diffusion, config, start);
    }

    /// <summary>Network evaluations one sample costs: steps x evaluations per step.</summary>
    public static int FunctionEvaluations(SamplerSpec spec, int timesteps) => Find(spec.Name).FunctionEvaluations(spec, timesteps);

    /// <summary>
    /// Refuses the <paramref name="given"/> settings (with their values as typed) that sampler <paramref name="name"/> does
    /// not read, e.g. <c>--eta 0.5</c> with ddpm; <paramref name="timesteps"/> (when known) makes the message concrete.
    /// </summary>
    public static void RefuseNotApplicable(string name, IEnumerable<(SamplerSetting Setting, string Value)> given, int? timesteps = null)
    {
        var definition = Find(name);
        foreach (var (setting, value) in given)
        {
            if (definition.Accepts(setting)) continue;
            var takers = All.Where(d => d.Accepts(setting)).Select(d => d.Name).ToList();
            string who = takers.Count == 1 ? $"only {takers[0]} has" : $"only {string.Join(", ", takers[..^1])} and {takers[^1]} have";
            string why = setting switch
            {
                Steps => $"{name} runs all {timesteps?.ToString() ?? "T"} steps; for fewer use --sampler {takers[0]} "
                    + "(with --eta 1 for DDPM-like noise)",
                Eta => $"{name} has no eta; {who} an eta",
                Spacing => $"{name} {definition.FixedTable}; {who} a timestep spacing",
                Variance => $"{name} has no variance choice; {who} one (beta or beta_tilde)",
                _ => throw new ArgumentOutOfRangeException(nameof(given)),
            };
            throw new ConfigException($"{SamplerFlags.Default.Of(setting)} {value}: does not apply to the {name} sampler: {why}");
        }
    }

    /// <summary>A short label for tables and file names: the name, then the steps, eta and variance the sampler reads.</summary>
    public static string Label(SamplerSpec spec)
    {
        var definition = Find(spec.Name);
        var parts = new List<string> { spec.Name };
        if (definition.Accepts(Steps)) parts.Add(spec.Steps?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "auto");
        if (definition.Accepts(Eta)) parts.Add("eta" + spec.Eta.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture));
        if (definition.Accepts(Variance)) parts.Add(spec.Variance);
        return string.Join("-", parts);
    }

    private static SamplerSpec Resolve(SamplerDefinition definition, SamplerSpec spec, int timesteps) =>
        definition.Accepts(Steps) && spec.Steps is null ? spec with { Steps = definition.DefaultSteps(timesteps) } : spec;

    /// <summary>DPM-Solver++ of one multistep order (Lu et al. 2022): 2M as <c>dpmpp</c>, 3M as <c>dpmpp3</c>.</summary>
    private static SamplerDefinition DpmSolverPlusPlus(string name, string description, int order) =>
        SamplerDefinition.Of(name, description, 1, [Steps, Spacing], t => Math.Min(20, t),
            (spec, t) =>
            {
                var c = new DpmSolverPlusPlusSamplerConfig(spec.Steps ?? 0, spec.Spacing, spec.ClipX0, spec.StepsOffset, order).Validate();
                TimestepTable.Check(t, c.Steps, c.Spacing, c.StepsOffset, multistep: true);
                return c;
            },
            (diffusion, config, start) => new DpmSolverPlusPlusSampler(diffusion, config, start));

    private static IReadOnlyList<SamplerDefinition> Unique(params SamplerDefinition[] definitions)
    {
        var duplicate = definitions.GroupBy(d => d.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InvalidOperationException($"sampler '{duplicate.Key}' is registered twice");
        return definitions;
    }
}
