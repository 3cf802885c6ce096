using System.CommandLine;
using System.CommandLine.Help;
using System.Text.RegularExpressions;
using GenSharp.Cli;

namespace GenSharp.Tests.Cli;

/// <summary>
/// No option is accepted and then ignored. The whole command tree (<see cref="Program.BuildRoot"/>, i.e. every verb of
/// <see cref="CommandRegistry"/>) is walked; every option it accepts must be declared in the CLI's sources as an Option object that the
/// sources read with <c>GetValue</c> (an option that is added to a command but never read fails here), and options that only some run
/// kinds can honour are refused for the others (tested below).
/// </summary>
public sealed class OptionUsageTests
{
    /// <summary>
    /// Options whose name is computed rather than written as a literal where they are declared, with the reason: the sampler options
    /// (<c>SamplerCliOptions</c>) are named per verb (<c>--steps</c> for sample/eval, <c>--sampler-steps</c> for train ddpm); they are
    /// still checked to be read, through their property declarations.
    /// </summary>
    private static readonly HashSet<string> ComputedNames =
        ["--sampler", "--steps", "--eta", "--spacing", "--variance", "--sampler-steps", "--sampler-variance"];

    private static string? CliSources()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "src", "GenSharp.Cli");
            if (File.Exists(Path.Combine(dir.FullName, "GenSharp.slnx")) && Directory.Exists(candidate)) return candidate;
        }
        return null;
    }

    private static IEnumerable<(string Path, Command Command)> Walk(Command command, string path)
    {
        yield return (path, command);
        foreach (var sub in command.Subcommands)
            foreach (var c in Walk(sub, path + " " + sub.Name))
                yield return c;
    }

    [SkippableFact]
    public void EveryOptionOfEveryCommandIsDeclaredAndRead()
    {
        string? folder = CliSources();
        Skip.If(folder is null, "the CLI's sources are not beside the test binaries (a packed build)");
        string sources = string.Join("\n", Directory.GetFiles(folder!, "*.cs", SearchOption.AllDirectories).Select(File.ReadAllText));

        // declarations: `var x = new Option<T>("--name"`, `Option<T> X { get; } = new("--name"`, `X = Add(field, new Option<T>("--name"`,
        // `X = new(_flags.Name)` (computed names)
        var declared = new Dictionary<string, List<string>>();                      // variable or property -> option names
        void Declare(string variable, string name)
        {
            if (!declared.TryGetValue(variable, out var names)) declared[variable] = names = [];
            names.Add(name);
        }
        foreach (Match m in Regex.Matches(sources, @"var\s+(\w+)\s*=\s*new\s+Option<[^(]*>\(\s*""(--[\w-]+)"""))
            Declare(m.Groups[1].Value, m.Groups[2].Value);
        foreach (Match m in Regex.Matches(sources, @"Option<[^>]+>\s+(\w+)\s*\{\s*get;\s*\}\s*=\s*new\(\s*""(--[\w-]+)"""))
            Declare(m.Groups[1].Value, m.Groups[2].Value);
        foreach (Match m in Regex.Matches(sources, @"\b(\w+)\s*=\s*Add\(\s*[\w.]+\s*,\s*new\s+Option<[^(]*>\(\s*""(--[\w-]+)"""))
            Declare(m.Groups[1].Value, m.Groups[2].Value);                              // TrainingCliOptions: X = Add(field, new Option<T>("--x"
        foreach (Match m in Regex.Matches(sources, @"\b(\w+)\s*=\s*new\(\s*""(--[\w-]+)"""))
            Declare(m.Groups[1].Value, m.Groups[2].Value);                              // RunCliOptions' constructor: X = new("--x"
        foreach (Match m in Regex.Matches(sources, @"\b(\w+)\s*=\s*new\(\s*_flags\.(\w+)\s*\)"))
            Declare(m.Groups[1].Value, "computed:" + m.Groups[2].Value);
        Assert.True(declared.Count > 100, $"only {declared.Count} option declarations found; has the declaration style changed?");

        // every declared option object is read somewhere
        // (GetValue(x), or TrainingCliOptions' Get(parse, X), which reads only the options a command offers)
        var unread = declared.Keys
            .Where(v => !Regex.IsMatch(sources, $@"\b(?:GetValue|Get)\((?:\s*parse\s*,)?\s*(?:\w+\.)?{Regex.Escape(v)}\s*\)")).ToList();
        Assert.True(unread.Count == 0, "declared but never read with GetValue: " +
            string.Join(", ", unread.Select(v => $"{v} ({string.Join("/", declared[v])})")));

        // every option the tree accepts has such a declaration
        var literalNames = declared.Values.SelectMany(n => n).ToHashSet();
        var options = Walk(Program.BuildRoot(), "gensharp")
            .SelectMany(c => c.Command.Options.Where(o => o is not HelpOption and not VersionOption).Select(o => (c.Path, o.Name)))
            .ToList();
        Assert.True(options.Count > 200, $"only {options.Count} options in the tree");
        var undeclared = options.Where(o => !literalNames.Contains(o.Name) && !ComputedNames.Contains(o.Name)).ToList();
        Assert.True(undeclared.Count == 0, "options in the tree without a declaration this test can check: " +
            string.Join(", ", undeclared.Select(o => $"{o.Path} {o.Name}")));
    }

    [Theory]
    [InlineData("ddpm-toy2d", 10, false, "--bpd 10")]
    [InlineData("gan-fmnist", 10, false, "--bpd 10")]
    [InlineData("vae-fmnist", 10, false, "--bpd 10")]
    [InlineData("ddpm-toy2d", 0, true, "--no-figures")]
    [InlineData("gan-fmnist", 0, true, "--no-figures")]
    [InlineData("vae-fmnist", 0, true, "--no-figures")]
    [InlineData("vdm-toy2d", 0, true, "--no-figures")]
    public void EvalOptionsARunCannotHonourAreRefused(string kind, int bpd, bool noFigures, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => EvalOptionRefusals.Check(kind, bpd, noFigures));
        Assert.StartsWith(expected, e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Theory]
    [InlineData("ddpm-image", 10, true)]
    [InlineData("ncsn-image", 0, true)]
    [InlineData("vdm-image", 10, true)]
    [InlineData("ddpm-toy2d", 0, false)]
    [InlineData("vdm-toy2d", 1000, false)]
    public void EvalOptionsARunHonoursPass(string kind, int bpd, bool noFigures) => EvalOptionRefusals.Check(kind, bpd, noFigures);
}
