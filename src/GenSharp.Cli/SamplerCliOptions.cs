using System.CommandLine;
using System.Globalization;
using GenSharp.Diffusion;
using GenSharp.Diffusion.Images;
using GenSharp.Diffusion.Samplers;
using GenSharp.Diffusion.Toy;
using GenSharp.Training;

namespace GenSharp.Cli;

/// <summary>
/// The sampler options of one command, made from <see cref="SamplerRegistry"/>: <c>--sampler NAME</c> and one option per
/// <see cref="SamplerSetting"/>, spelled as <see cref="SamplerFlags"/> says for that command (<c>sample</c>/<c>eval</c>:
/// <c>--steps --eta --spacing --variance</c>; <c>train ddpm</c>: <c>--sampler-steps</c>, <c>--sampler-variance</c>).
/// Typed options describe a sampler on top of a basis (the run's sampler): without <c>--sampler</c> they change the
/// basis's settings; with another name they start from that sampler's defaults. A typed option the sampler does not read
/// is refused, and every error about a setting names the flag as the user typed it. A VDM run has one sampler of its own,
/// <c>vdm-ancestral</c> (ancestral steps in SNR form; docs/vdm.md#sampling), outside the registry, whose samplers run on a
/// discrete-time DDPM schedule: <c>sample</c>/<c>eval</c> list it beside them and take only its name and <c>--steps</c> on a VDM run.
/// </summary>
public sealed class SamplerCliOptions
{
    private readonly SamplerFlags _flags;

    public SamplerCliOptions(SamplerFlags? flags = null, string tag = "")
    {
        _flags = flags ?? SamplerFlags.Default;
        string names = string.Join(", ", SamplerRegistry.All.Select(d => $"{d.Name} ({d.Summary})"));
        string vdm = flags is null ? $"; on a VDM run only {Vdm.VdmAncestralSampler.Name} (ancestral in SNR form, --steps T)" : "";
        Name = new(_flags.Sampler) { Description = $"{tag}Sampler: {names}{vdm}; default: the run's" };
        string defaults = string.Join(", ", SamplerRegistry.All.Where(d => d.Accepts(SamplerSetting.Steps))
            .Select(d => $"{d.Name} {d.DefaultSteps(1000)}"));
        string vdmSteps = flags is null ? "; on a VDM run its ancestral steps T, default the run's --sample-steps" : "";
        Steps = new(_flags.Steps)
        {
            Description = $"{tag}Sampling steps K {For(SamplerSetting.Steps)}; default {defaults} at T = 1000, at most T{vdmSteps}"
        };
        Eta = new(_flags.Eta) { Description = $"{tag}Noise scale eta {For(SamplerSetting.Eta)}: 0 deterministic, 1 = DDPM's noise level" };
        string spacings = string.Join(", ", TimestepTable.Spacings);
        Spacing = new(_flags.Spacing) { Description = $"{tag}Timestep spacing {For(SamplerSetting.Spacing)}: {spacings}" };
        string variances = string.Join(" or ", AncestralSamplerConfig.Variances);
        Variance = new(_flags.Variance) { Description = $"{tag}Reverse variance {For(SamplerSetting.Variance)}: {variances}" };
    }

    public Option<string?> Name { get; }
    public Option<int?> Steps { get; }
    public Option<double?> Eta { get; }
    public Option<string?> Spacing { get; }
    public Option<string?> Variance { get; }

    public IReadOnlyList<Option> All => [Name, Steps, Eta, Spacing, Variance];

    public void AddTo(Command command)
    {
        foreach (var o in All) command.Options.Add(o);
    }

    /// <summary>
    /// The sampler the typed options describe on top of <paramref name="basis"/> (null when none is typed and there is no
    /// basis; <paramref name="basis"/> itself when none is typed). Unknown names and options the sampler does not read are
    /// refused here; with <paramref name="timesteps"/> the spec is also fully validated against T.
    /// </summary>
    public SamplerSpec? Read(ParseResult parse, SamplerSpec? basis = null, int? timesteps = null)
    {
        var typed = Typed(parse);
        if (typed.Count == 0) return basis;
        string name = parse.GetValue(Name) ?? basis?.Name ?? new SamplerSpec().Name;
        if (name == Vdm.VdmAncestralSampler.Name)
            throw new ConfigException($"{_flags.Sampler} {name}: the sampler of VDM runs (train vdm, docs/vdm.md#sampling); this run takes " +
                string.Join(", ", SamplerRegistry.Names));
        return Respelled(parse, () =>
        {
            var settings = typed.Where(t => t.Setting != SamplerSetting.Sampler).Select(t => (t.Setting, t.Value));
            SamplerRegistry.RefuseNotApplicable(name, settings, timesteps);
            var start = basis is not null && basis.Name == name ? basis : new SamplerSpec(name, ClipX0: basis?.ClipX0 ?? true);
            var spec = start with
            {
                Steps = parse.GetValue(Steps) ?? start.Steps,
                Eta = parse.GetValue(Eta) ?? start.Eta,
                Spacing = parse.GetValue(Spacing) ?? start.Spacing,
                Variance = parse.GetValue(Variance) ?? start.Variance,
            };
            // a steps_offset from a diffusers config belongs to its "leading" table (docs/interop.md); another spacing drops it
            if (spec.Spacing != "leading") spec = spec with { StepsOffset = 0 };
            return timesteps is int t ? spec.Validate(t) : spec;
        });
    }

    /// <summary>
    /// For <c>sample</c> and <c>eval</c>: the typed options on top of the run's own sampler, validated against the run's T
    /// (null when none is typed: the recipe then uses the run's). Refused on runs that are not DDPMs.
    /// </summary>
    public SamplerSpec? ReadFor(ParseResult parse, RunDirectory run, string kind)
    {
        var typed = Typed(parse);
        if (typed.Count == 0) return null;
        switch (kind)
        {
            case ImageDdpmConfig.Kind:
                var image = RunConfigFile.Read<ImageDdpmConfig>(run);
                return Read(parse, image.Sampler, image.Schedule.Timesteps);
            case Latent.LatentDiffusionConfig.Kind: // the same samplers on latents, never clipped
                var latent = RunConfigFile.Read<Latent.LatentDiffusionConfig>(run);
                return Read(parse, latent.Sampler, latent.Schedule.Timesteps);
            case ToyDdpmConfig.Kind: // toy runs sample by ancestral DDPM with their variance, never clipped
                var toy = RunConfigFile.Read<ToyDdpmConfig>(run);
                return Read(parse, new SamplerSpec("ddpm", Variance: toy.SamplerVariance, ClipX0: false), toy.Schedule.Timesteps);
            case Vdm.VdmConfig.Kind or Vdm.Toy.ToyVdmConfig.Kind:
                return ReadVdm(parse, typed);
            default:
                string langevin = kind == Score.Images.ImageNcsnConfig.Kind
                    ? "; an NCSN run samples by annealed Langevin dynamics (--T, --eps, --levels-used, --no-denoise)" : "";
                throw new ConfigException($"{typed[0].Flag}: applies to DDPM runs (diffusion samplers); this run is '{kind}'{langevin}");
        }
    }

    /// <summary>
    /// A VDM run's sampler: vdm-ancestral, T ancestral steps in SNR form (docs/vdm.md#sampling). The registry's samplers need the
    /// discrete-time schedule of a GaussianDiffusion, which a VDM does not have, so another name or a setting other than the steps is
    /// refused with what a VDM takes instead.
    /// </summary>
    private SamplerSpec ReadVdm(ParseResult parse, List<(SamplerSetting Setting, string Flag, string Value)> typed)
    {
        const string vdm = Vdm.VdmAncestralSampler.Name;
        foreach (var (setting, flag, value) in typed)
        {
            if (setting == SamplerSetting.Sampler && value != vdm)
                throw new ConfigException($"{flag} {value}: a VDM run samples only with {vdm}, its ancestral sampler in SNR form (the others " +
                    $"run on a discrete-time DDPM schedule); leave {flag} out and set the steps with {_flags.Steps} (docs/vdm.md#sampling)");
            if (setting is not (SamplerSetting.Sampler or SamplerSetting.Steps))
                throw new ConfigException($"{flag} {value}: does not apply to a VDM run, whose sampler {vdm} (ancestral in SNR form) takes only " +
                    $"{_flags.Steps} (docs/vdm.md#sampling)");
        }
        return new SamplerSpec(vdm, Steps: parse.GetValue(Steps));
    }

    /// <summary>
    /// For <c>train ddpm</c>: builds <paramref name="spec"/>'s sampler once on <paramref name="schedule"/> (on the CPU; it
    /// costs nothing), so that settings only the schedule can refuse (DDIM's largest eta) fail before the run starts.
    /// </summary>
    public SamplerSpec Check(ParseResult parse, SamplerSpec spec, NoiseScheduleConfig schedule) => Respelled(parse, () =>
    {
        using var diffusion = new GaussianDiffusion(new NoiseSchedule(schedule.Validate()));
        spec.Create(diffusion);
        return spec.Validate(schedule.Timesteps);
    });

    /// <summary>
    /// Runs <paramref name="action"/> (which may validate or create a sampler) and rewrites a sampler setting's error to
    /// name the flag as typed on this command.
    /// </summary>
    public T Respelled<T>(ParseResult parse, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (ConfigException e)
        {
            var flags = _flags;
            foreach (var (setting, flag, _) in Typed(parse)) flags = flags.With(setting, flag);
            var respelled = flags.Respell(e);
            if (ReferenceEquals(respelled, e)) throw;
            throw respelled;
        }
    }

    /// <summary>The settings typed on the command line: the flag as typed (an alias included) and the value.</summary>
    private List<(SamplerSetting Setting, string Flag, string Value)> Typed(ParseResult parse)
    {
        var typed = new List<(SamplerSetting, string, string)>();
        void Add<TValue>(SamplerSetting setting, Option<TValue> option)
        {
            if (parse.GetResult(option) is not { Implicit: false } result) return;
            string value = Convert.ToString(parse.GetValue(option), CultureInfo.InvariantCulture) ?? "";
            typed.Add((setting, result.IdentifierToken?.Value ?? option.Name, value));
        }
        Add(SamplerSetting.Sampler, Name);
        Add(SamplerSetting.Steps, Steps);
        Add(SamplerSetting.Eta, Eta);
        Add(SamplerSetting.Spacing, Spacing);
        Add(SamplerSetting.Variance, Variance);
        return typed;
    }

    private static string For(SamplerSetting setting) =>
        "(" + string.Join(", ", SamplerRegistry.All.Where(d => d.Accepts(setting)).Select(d => d.Name)) + ")";
}
