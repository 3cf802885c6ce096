using System.CommandLine;
using System.Diagnostics;
using GenSharp.Diffusion.Toy;
using GenSharp.Runtime;
using GenSharp.Training;

namespace GenSharp.Cli.Commands;

/// <summary>
/// <c>gensharp demo</c>: the main job on an embedded default. Trains the 2D DDPM on the two-Gaussian
/// mixture (docs/data.md#toy-distributions), samples it, scores it with exact metrics and writes the report.
/// </summary>
public static class DemoCommand
{
    /// <summary>Targets the demo is held to (and its test asserts).</summary>
    public const double MaxWeightError = 0.05;
    public const double MaxLogLikelihoodGap = 0.25;

    public static Command Build()
    {
        var common = new CommonOptions();
        var outDir = new Option<string?>("--out") { Description = "Run directory to write (default runs/demo, or runs/demo-2, -3, ... if taken)" };
        var seed = new Option<long>("--seed") { Description = "Seed", DefaultValueFactory = _ => 0 };
        var quiet = new Option<bool>("--quiet") { Description = "No progress bars" };
        var command = new Command("demo",
            "Train a DDPM on the 2D two-Gaussian mixture, sample it, score it against the exact density and write report.html " +
            "(about 1-2 minutes on 2 cores); exits 1 if the samples miss the targets (FAIL).\n\n" +
            "Examples:\n  gensharp demo\n  gensharp demo --out /tmp/demo --threads 2");
        foreach (var o in new Option[] { outDir, seed, quiet }) command.Options.Add(o);
        common.AddTo(command);
        command.SetAction(parse =>
        {
            var device = TorchRuntime.Initialize(common.Read(parse));
            var w = parse.InvocationConfiguration.Output;
            string root = parse.GetValue(outDir) ?? FreeDemoFolder();
            var clock = Stopwatch.StartNew();
            var d = new ToyDdpmConfig();
            var config = ToyDdpmRecipe.Resolve(d with { Training = d.Training with { Seed = parse.GetValue(seed) } }, device);
            var run = RunDirectory.Create(root, "choose another --out, or delete it (without --out the demo picks a free runs/demo-N)");
            RunConfigFile.Write(run, config);
            w.WriteLine($"GenSharp demo: DDPM on {config.Training.Data} ({config.Training.Steps} steps, batch {config.Training.Batch}, " +
                $"T = {config.Schedule.Timesteps}, {config.Schedule.Kind} schedule) -> {run.Root}");
            var outcome = ToyDdpmRecipe.Train(config, run, device, resume: false, quiet: parse.GetValue(quiet));
            clock.Stop();
            EvalCommand.PrintMetrics(w, outcome);
            int exitCode = Verdict(w, outcome.Metrics);
            w.WriteLine($"wall time {clock.Elapsed.TotalSeconds:F1} s");
            w.WriteLine($"report: {run.ReportPath}");
            return exitCode;
        });
        return command;
    }

    /// <summary>Prints the PASS/FAIL line against the targets; the exit code is 0 on PASS and 1 on FAIL.</summary>
    public static int Verdict(TextWriter w, IReadOnlyDictionary<string, double?> metrics)
    {
        double? weightError = metrics.GetValueOrDefault("weight_error_max");
        double? gap = metrics.GetValueOrDefault("loglik_gap");
        bool ok = weightError < MaxWeightError && Math.Abs(gap ?? double.PositiveInfinity) < MaxLogLikelihoodGap;
        w.WriteLine($"mixture-weight error {weightError:F4} (target < {MaxWeightError}), " +
            $"log-likelihood gap {gap:F4} nats (target |gap| < {MaxLogLikelihoodGap}): {(ok ? "PASS" : "FAIL")}");
        return ok ? 0 : 1;
    }

    private static string FreeDemoFolder()
    {
        string candidate = Path.Combine("runs", "demo");
        for (int i = 2; File.Exists(Path.Combine(candidate, "config.json")); i++)
            candidate = Path.Combine("runs", $"demo-{i}");
        return candidate;
    }
}
