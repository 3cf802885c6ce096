using System.CommandLine;
using GenSharp.Diffusion.Conditioning;

namespace GenSharp.Cli;

/// <summary>
/// <c>--class --guidance [--guidance-sweep]</c> of <c>sample</c> and <c>eval</c> on a conditional run (docs/ddpm.md#classifier-free-guidance).
/// </summary>
public sealed class GuidanceCliOptions(bool sweep)
{
    public Option<string?> Class { get; } = new("--class")
    {
        Description = "[conditional runs] the class to draw, by index or name (e.g. 3 or Sandal); without it every sample's class is drawn " +
            "uniformly at random"
    };
    public Option<double?> Guidance { get; } = new("--guidance")
    {
        Description = "[conditional runs] guidance weight w: eps(x, null) + w (eps(x, c) - eps(x, null)); 0 unconditional, 1 conditional " +
            "(default: the run's)"
    };
    public Option<string?> Sweep { get; } = new("--guidance-sweep")
    {
        Description = "[conditional runs] comma-separated weights, e.g. 0,1,2,3,5,7: FD, conditional accuracy, precision and recall per w " +
            "(n / K samples of every class per w) and the trade-off plot in report.html"
    };

    public Option<double?> Rescale { get; } = new("--guidance-rescale")
    {
        Description = "[conditional runs] guidance rescale phi in [0, 1] (Lin et al. 2024; diffusers' guidance_rescale): pulls the guided " +
            "prediction's per-sample std back to the conditional one's, phi eps_w std(eps_c)/std(eps_w) + (1 - phi) eps_w (default 0, off)"
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Class);
        command.Options.Add(Guidance);
        command.Options.Add(Rescale);
        if (sweep) command.Options.Add(Sweep);
    }

    /// <summary>The choice given (null when none).</summary>
    public GuidanceChoice? Read(ParseResult parse)
    {
        var choice = new GuidanceChoice(
            parse.GetValue(Guidance) is { } w ? GuidanceWeight.Check(w, "--guidance") : null,
            parse.GetValue(Class),
            sweep && parse.GetValue(Sweep) is { } s ? GuidanceWeight.ParseList(s, "--guidance-sweep") : null,
            parse.GetValue(Rescale) is { } phi ? GuidanceWeight.CheckRescale(phi, "--guidance-rescale") : null);
        return choice.IsEmpty ? null : choice;
    }
}
