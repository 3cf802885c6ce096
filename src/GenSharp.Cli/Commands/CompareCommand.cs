using System.CommandLine;
using GenSharp.Pipelines;
using GenSharp.Runtime;

namespace GenSharp.Cli.Commands;

/// <summary><c>gensharp compare RUN... [--n N] [--seed S] [--out DIR]</c> and <c>gensharp compare --train --budget 30m</c>.</summary>
public static class CompareCommand
{
    public static Command Build()
    {
        var common = new CommonOptions();
        var runs = new Argument<string[]>("RUN_DIR") { Description = "Image runs to compare (with --train: none)",
            Arity = ArgumentArity.ZeroOrMore };
        var n = new Option<int>("--n")
        {
            Description = "Samples per run (and held-out images they are scored against)", DefaultValueFactory = _ => 1000
        };
        var seed = new Option<long>("--seed") { Description = "Sampling seed, the same for every run", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out") { Description = "Output folder (compare.json, compare.html)",
            DefaultValueFactory = _ => "compare" };
        var train = new Option<bool>("--train")
        {
            Description = "First train one run of each family (DDPM, NCSN, GAN with each loss, VAE, latent diffusion, VDM) into OUT/runs; " +
                          "the same command again resumes them (finished runs are kept)"
        };
        var budget = new Option<string>("--budget")
        {
            Description = "With --train: the CPU-time budget of each run (train --cpu-budget; all threads count, so with --threads 2 " +
                          "30m is about 15 minutes of wall time), e.g. 3m, 30m; latent diffusion splits it between its autoencoder and its " +
                          "diffusion model",
            DefaultValueFactory = _ => "30m"
        };
        var quiet = new Option<bool>("--quiet") { Description = "No progress output" };
        var command = new Command("compare", "Score image runs on one yardstick (docs/evaluation.md#compare): FD and KID beside the floor, " +
            "precision/recall, class-histogram entropy and largest share, conditional accuracy, a classifier two-sample test, samples/s, " +
            "network evaluations, training CPU-seconds and parameters; writes compare.json and compare.html.\n\n" +
            "Examples:\n  gensharp compare runs/ddpm-fashion-mnist runs/gan-ns runs/vae --n 1000\n" +
            "  gensharp compare --train --budget 30m --out trilemma");
        command.Arguments.Add(runs);
        foreach (var o in new Option[] { n, seed, output, train, budget, quiet }) command.Options.Add(o);
        common.AddTo(command);
        command.SetAction(parse =>
        {
            var settings = common.Read(parse);
            var device = TorchRuntime.Initialize(settings);
            string outDir = Path.GetFullPath(parse.GetValue(output)!);
            var w = parse.InvocationConfiguration.Output;
            var dirs = parse.GetValue(runs)!.ToList();
            RunComparison.CheckOutput(outDir);
            if (parse.GetValue(train))
            {
                if (dirs.Count > 0) throw new ConfigException("compare --train trains its own runs; name no RUN_DIR with it");
                dirs = BudgetTraining.TrainAll(Path.Combine(outDir, "runs"), parse.GetValue(budget)!, parse.GetValue(common.Threads),
                    parse.GetValue(quiet), w, parse.InvocationConfiguration.Error);
            }
            var rows = RunComparison.Run(dirs, new CompareRequest(parse.GetValue(n), parse.GetValue(seed), outDir, parse.GetValue(quiet)), device,
                parse.InvocationConfiguration.Error);
            w.WriteLine($"wrote {Path.Combine(outDir, "compare.json")}");
            w.WriteLine($"wrote {Path.Combine(outDir, "compare.html")}");
            foreach (var r in rows)
                w.WriteLine($"  {r["run"],-24} fd {F(r["fd"])} (floor {F(r["fd_floor"])})  recall {F(r["recall"])}  c2st {F(r["c2st_accuracy"])}  " +
                            $"{F(r["samples_per_s"])} samples/s");
            return 0;
        });
        return command;
    }

    private static string F(object? v) => v is double d ? d.ToString("G4", System.Globalization.CultureInfo.InvariantCulture) : "n/a";
}
