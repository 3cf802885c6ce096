using System.CommandLine;
using GenSharp.Cli;
using GenSharp.Cli.Commands;

namespace GenSharp.Tests.Cli;

/// <summary>The command line's contract: options every command has, exit codes, and one-line errors.</summary>
public sealed class CliContractTests
{
    private static IEnumerable<(string Path, Command Command)> Walk(Command command, string path)
    {
        yield return (path, command);
        foreach (var sub in command.Subcommands)
            foreach (var c in Walk(sub, path + " " + sub.Name))
                yield return c;
    }

    [Fact]
    public void EveryCommandThatRunsSomethingHasDeviceAndThreads()
    {
        var runnable = Walk(Program.BuildRoot(), "gensharp").Where(c => c.Command.Action is not null || c.Command.Subcommands.Count == 0).ToList();
        Assert.Contains(runnable, c => c.Path == "gensharp lab divergences");
        Assert.Contains(runnable, c => c.Path == "gensharp eval"); // a verb with its own action beside sub-commands
        Assert.True(runnable.Count >= 18, $"only {runnable.Count} commands found");
        foreach (var (path, command) in runnable)
        {
            var names = command.Options.Select(o => o.Name).ToHashSet();
            Assert.True(names.Contains("--device") && names.Contains("--threads"), $"{path} lacks --device or --threads");
        }
    }

    [SkippableTheory]
    [InlineData("lab", "divergences")]
    [InlineData("lab", "dirac-gan")]
    public void LabCalculatorsHonourDevice(string verb, string sub)
    {
        Skip.If(TorchSharp.torch.cuda.is_available(), "only meaningful without CUDA, and CUDA is available");
        string output = TestTemp.Directory("gensharp-lab").FullName;
        var (rc, _, err) = CliRunner.Run(verb, sub, "--device", "cuda", "--threads", "1", "--out", output);
        Assert.Equal(3, rc);
        Assert.StartsWith("error: --device cuda: CUDA is not available", err);
        Assert.Empty(Directory.GetFiles(output)); // refused before computing anything
    }

    [Theory]
    [InlineData(new[] { "train", "ddpm", "--threads", "abc" }, "'abc'", "see gensharp train ddpm --help")]
    [InlineData(new[] { "train", "ddpm", "--no-such-option" }, "'--no-such-option'", "see gensharp train ddpm --help")]
    [InlineData(new[] { "lab", "dirac-gan", "--steps", "many" }, "'many'", "see gensharp lab dirac-gan --help")]
    [InlineData(new[] { "frobnicate" }, "'frobnicate'", "see gensharp --help")]
    [InlineData(new[] { "train" }, "Required command", "see gensharp train --help")]
    public void ParseErrorsPrintTheParsersErrorsAndOneHintAndExit2(string[] args, string expected, string hint)
    {
        var (rc, output, err) = CliRunner.Run(args);
        Assert.Equal(2, rc);
        var lines = err.TrimEnd().Split('\n');
        Assert.All(lines[..^1], l => Assert.StartsWith("error: ", l));
        Assert.Contains(lines[..^1], l => l.Contains(expected, StringComparison.Ordinal));
        Assert.Equal(hint, lines[^1]);
        Assert.DoesNotContain("Usage", err + output); // not the whole help text
        Assert.DoesNotContain("Options:", err + output);
    }

    [Theory]
    [InlineData("train", "ddpm", "--runs", "/dev/null/x", "--data", "toy:moons", "--steps", "2", "--threads", "1", "--quiet")]
    [InlineData("demo", "--out", "/dev/null/demo", "--threads", "1", "--quiet")]
    public void AnUnwritableOutputFolderIsOneLineWithExitCode2(params string[] args)
    {
        var (rc, _, err) = CliRunner.Run(args);
        Assert.Equal(2, rc);
        Assert.StartsWith("error: ", err);
        Assert.Contains("/dev/null", err);
        Assert.Contains("check the path", err);
        Assert.Single(err.TrimEnd().Split('\n'));
    }

    [Fact]
    public void DemoIntoAnExistingRunSaysToChooseAnotherOutNotResume()
    {
        string dir = TestTemp.Directory("gensharp-demo-taken").FullName;
        File.WriteAllText(Path.Combine(dir, "config.json"), "{}");
        var (rc, _, err) = CliRunner.Run("demo", "--out", dir, "--threads", "1", "--quiet");
        Assert.Equal(2, rc);
        Assert.Contains("already holds a run; choose another --out, or delete it", err);
        Assert.DoesNotContain("--resume", err);
    }

    [Fact]
    public void TheDemoExitsOneWhenItMissesItsTargets()
    {
        var w = new StringWriter();
        Assert.Equal(0, DemoCommand.Verdict(w, new Dictionary<string, double?> { ["weight_error_max"] = 0.01, ["loglik_gap"] = -0.1 }));
        Assert.Contains("PASS", w.ToString());
        foreach (var failing in new Dictionary<string, double?>[]
                 {
                     new() { ["weight_error_max"] = 0.2, ["loglik_gap"] = -0.1 },
                     new() { ["weight_error_max"] = 0.01, ["loglik_gap"] = 0.5 },
                     new() { ["weight_error_max"] = null, ["loglik_gap"] = 0.0 },
                     new(),
                 })
        {
            w = new StringWriter();
            Assert.Equal(1, DemoCommand.Verdict(w, failing));
            Assert.Contains("FAIL", w.ToString());
        }
    }

    [Fact]
    public void AnUnexpectedExceptionIsOneInternalErrorLineWithExitCode1()
    {
        var (rc, err) = Throwing(new InvalidOperationException("the unexpected\nhappened"));
        Assert.Equal(1, rc);
        Assert.Equal(
            $"internal error: System.InvalidOperationException: the unexpected happened (please report; rerun with " +
            $"{Program.DebugVariable}=1 for the stack trace)",
            err.TrimEnd());

        (rc, err) = Throwing(new UnauthorizedAccessException("Access to the path '/root/x' is denied."));
        Assert.Equal(2, rc);
        Assert.Equal("error: permission denied: Access to the path '/root/x' is denied; choose a location you can write to, or fix " +
            "its permissions", err.TrimEnd());
    }

    /// <summary>Runs a one-command tree whose action throws <paramref name="e"/>.</summary>
    internal static (int ExitCode, string Err) Throwing(Exception e)
    {
        var root = new RootCommand("test");
        var boom = new Command("boom");
        boom.SetAction((Func<ParseResult, int>)(_ => throw e));
        root.Subcommands.Add(boom);
        var err = new StringWriter();
        int rc = Program.Execute(root, ["boom"], new StringWriter(), err);
        return (rc, err.ToString());
    }
}

[CollectionDefinition("environment", DisableParallelization = true)]
public sealed class EnvironmentCollection;

/// <summary>Sets GENSHARP_DEBUG, so it runs alone: other CLI tests would see the variable.</summary>
[Collection("environment")]
public sealed class CliDebugTests
{
    [Fact]
    public void GensharpDebugAddsTheStackTrace()
    {
        Environment.SetEnvironmentVariable(Program.DebugVariable, "1");
        try
        {
            var (rc, err) = CliContractTests.Throwing(new InvalidOperationException("boom"));
            Assert.Equal(1, rc);
            Assert.StartsWith("internal error: System.InvalidOperationException: boom", err);
            Assert.Contains("   at ", err); // the stack trace follows
            (rc, err) = CliContractTests.Throwing(new ConfigException("--x 3: must be positive"));
            Assert.Equal(2, rc);
            Assert.StartsWith("error: --x 3: must be positive", err);
            Assert.Contains("   at ", err);
        }
        finally
        {
            Environment.SetEnvironmentVariable(Program.DebugVariable, null);
        }
    }
}
