using System.CommandLine;
using GenSharp.Cli.Commands;
using GenSharp.Training;

namespace GenSharp.Cli;

/// <summary>
/// Where a train command's run lives and how it starts, shared by every train command: <c>--name</c>, <c>--runs</c>,
/// <c>--resume</c> (with <c>--steps N</c> extending a constant-rate run) and <c>--quiet</c>.
/// </summary>
public sealed class RunCliOptions
{
    public RunCliOptions(string defaultNameHint, bool extendable = true)
    {
        Name = new("--name") { Description = $"Run name (folder under --runs); default {defaultNameHint}" };
        Runs = new("--runs") { Description = "Folder that holds run directories", DefaultValueFactory = _ => "runs" };
        Resume = new("--resume")
        {
            Description = "Continue the run's last checkpoint to its configured end" + (extendable ? ", or to a larger --steps" : "") +
                " (other settings come from its config.json)"
        };
        Quiet = new("--quiet") { Description = "No progress bars" };
    }

    public Option<string?> Name { get; }
    public Option<string> Runs { get; }
    public Option<bool> Resume { get; }
    public Option<bool> Quiet { get; }

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Name, Runs, Resume, Quiet }) command.Options.Add(o);
    }

    /// <summary>The run's folder: <c>--runs</c>/<c>--name</c>, or <paramref name="defaultName"/> when no name is given.</summary>
    public string Root(ParseResult parse, string defaultName) => RunName.Under(parse.GetValue(Runs)!, parse.GetValue(Name) ?? defaultName);

    /// <summary>
    /// Opens a run to resume: its <c>model</c> must be one of <paramref name="kinds"/> (else the one-line error names the train command of
    /// <paramref name="family"/>); a typed <paramref name="extendTo"/> extends its final step first. Returns the run and its kind.
    /// </summary>
    public static (RunDirectory Run, string Kind) OpenForResume(string root, string family, long? extendTo, TextWriter output, params string[] kinds)
    {
        var run = RunDirectory.OpenForTraining(root);
        string kind = RunConfigFile.ReadKind(run);
        if (!kinds.Contains(kind))
            throw new ConfigException($"{run.ConfigPath}: model '{kind}' is not {family}; resume it with its own train command");
        if (extendTo is long steps)
        {
            long before = RunExtension.ExtendSteps(run, steps);
            if (before != steps) output.WriteLine($"extending {run.Root} from {before} to {steps} steps");
        }
        return (run, kind);
    }

    /// <summary>The lines every train command ends with: where the run and its report are, and the final metrics.</summary>
    public static int Finish(ParseResult parse, RunDirectory run, EvalOutcome? outcome)
    {
        var output = parse.InvocationConfiguration.Output;
        output.WriteLine($"run:    {run.Root}");
        output.WriteLine($"report: {run.ReportPath}");
        if (outcome is not null) EvalCommand.PrintMetrics(output, outcome);
        return 0;
    }
}
