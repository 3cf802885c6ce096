using System.CommandLine;
using GenSharp.Diffusion.Conditioning;

namespace GenSharp.Cli;

/// <summary>
/// <c>--condition class|component|text|none --p-uncond P --guidance W</c> of <c>train ddpm</c>: class (or text, on CAPTCHAs) conditioning
/// with label dropout for classifier-free guidance (docs/ddpm.md#classifier-free-guidance, docs/captcha.md#text-conditioning).
/// </summary>
public sealed class ConditionCliOptions
{
    private static readonly ConditioningConfig Defaults = new();

    public Option<string> Condition { get; } = new("--condition")
    {
        Description = "Condition on labels: class (Fashion-MNIST classes, or png:DIR sub-folders), component (toy mixture components), " +
            "text (the string of each --data captcha image, read by a text encoder and cross-attention) or none",
        DefaultValueFactory = _ => "none"
    };
    public Option<double?> PUncond { get; } = new("--p-uncond")
    {
        Description = $"With --condition: probability that a training label is replaced by the null label, for text the empty string " +
            $"(default {Defaults.PUncond})"
    };
    public Option<double?> Guidance { get; } = new("--guidance")
    {
        Description = $"With --condition: guidance weight w of grids and evaluations (0 unconditional, 1 conditional; default {Defaults.Guidance})"
    };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Condition, PUncond, Guidance }) command.Options.Add(o);
    }

    /// <summary>
    /// The conditioning asked for (class names are filled in when the run is created), or null for <c>--condition none</c>; refuses
    /// <c>--p-uncond</c>/<c>--guidance</c> without a condition and a condition of the wrong kind for the data.
    /// </summary>
    public ConditioningConfig? Read(ParseResult parse, bool isToy)
    {
        string kind = parse.GetValue(Condition)!;
        double? p = parse.GetValue(PUncond), w = parse.GetValue(Guidance);
        if (kind == "none")
        {
            if (p is not null) throw new ConfigException($"--p-uncond {p}: applies with --condition class|component|text only");
            if (w is not null) throw new ConfigException($"--guidance {w}: applies with --condition class|component|text only");
            return null;
        }
        if (kind == ConditioningConfig.Text && isToy) throw new ConfigException("--condition text: toy data show no text; use --data captcha");
        if (kind == ConditioningConfig.Text) return Make(kind, p, w);
        string expected = isToy ? ConditioningConfig.Component : ConditioningConfig.Class;
        if (kind is ConditioningConfig.Class or ConditioningConfig.Component && kind != expected)
            throw new ConfigException($"--condition {kind}: {(isToy ? "toy data condition on their mixture component" : "images condition on " +
                "their class")}; use --condition {expected}");
        if (kind != expected) throw new ConfigException($"--condition {kind}: use class (images), component (toys), text (CAPTCHAs) or none");
        return Make(kind, p, w);
    }

    private static ConditioningConfig Make(string kind, double? p, double? w)
    {
        if (p is { } pu && !(pu >= 0 && pu < 1)) throw new ConfigException($"--p-uncond {pu}: must be in [0, 1)");
        if (w is { } gw) GuidanceWeight.Check(gw, "--guidance");
        return new ConditioningConfig { Kind = kind, PUncond = p ?? Defaults.PUncond, Guidance = w ?? Defaults.Guidance };
    }
}
