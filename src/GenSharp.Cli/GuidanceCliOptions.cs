using System.CommandLine;
using GenSharp.Diffusion.Conditioning;

namespace GenSharp.Cli;

/// <summary>
/// <c>--class --guidance [--guidance-sweep]</c> of <c>sample</c> and <c>eval</c> on a conditional run (docs/ddpm.md#classifier-free-guidance);
/// <c>sample</c> on a text-conditional run also takes <c>--text</c> or <c>--text-file</c> (docs/captcha.md#sampling-text).
/// </summary>
public sealed class GuidanceCliOptions(bool sweep, bool text = false)
{
    /// <summary>Most strings a --text-file may hold.</summary>
    public const int MaxTexts = 100_000;

    public Option<string?> Text { get; } = new("--text")
    {
        Description = "[text-conditional runs] the string to draw, e.g. 7KQ2 (the run's alphabet and length); without it (or --text-file) " +
            "every sample's string is drawn at random"
    };
    public Option<string?> TextFile { get; } = new("--text-file")
    {
        Description = "[text-conditional runs] a file of strings, one a line, drawn in turn (sample i shows line i mod lines); " +
            "labels.csv records each sample's string"
    };

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
        if (!text) return;
        command.Options.Add(Text);
        command.Options.Add(TextFile);
    }

    /// <summary>The choice given (null when none).</summary>
    public GuidanceChoice? Read(ParseResult parse)
    {
        var choice = new GuidanceChoice(
            parse.GetValue(Guidance) is { } w ? GuidanceWeight.Check(w, "--guidance") : null,
            parse.GetValue(Class),
            sweep && parse.GetValue(Sweep) is { } s ? GuidanceWeight.ParseList(s, "--guidance-sweep") : null,
            parse.GetValue(Rescale) is { } phi ? GuidanceWeight.CheckRescale(phi, "--guidance-rescale") : null);
        if (text) choice = ReadTexts(parse, choice);
        return choice.IsEmpty ? null : choice;
    }

    private GuidanceChoice ReadTexts(ParseResult parse, GuidanceChoice choice)
    {
        string? one = parse.GetValue(Text), file = parse.GetValue(TextFile);
        if (one is not null && file is not null) throw new ConfigException("--text and --text-file: give one of them");
        if (one is not null) return choice with { Texts = [one] };
        if (file is null) return choice;
        Files.InputFile.Require(file, m => new ConfigException($"--text-file: {m}"));
        var lines = File.ReadLines(file).Take(MaxTexts + 1).Select(l => l.TrimEnd('\r')).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1); // a final newline
        if (lines.Count == 0) throw new ConfigException($"--text-file {file}: holds no strings; write one string a line");
        if (lines.Count > MaxTexts) throw new ConfigException($"--text-file {file}: more than {MaxTexts} lines; split it");
        return choice with { Texts = [.. lines], TextsFrom = file };
    }
}
