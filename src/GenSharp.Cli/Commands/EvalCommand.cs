using System.CommandLine;
using GenSharp.Runtime;
using GenSharp.Training;

namespace GenSharp.Cli.Commands;

/// <summary><c>gensharp eval RUN_DIR [--n N] [--seed S]</c>.</summary>
public static class EvalCommand
{
    public static Command Build()
    {
        var common = new CommonOptions();
        var samplerOptions = new SamplerCliOptions();
        var langevinOptions = new LangevinCliOptions();
        var shardOptions = new ShardCliOptions(forEval: true);
        var bpd = new Option<int>("--bpd")
        {
            Description = "[images] also compute the variational bound (bits/dim) on this many held-out images (DDPM: all T terms, T network " +
                "evaluations each; VDM: each term and L_T for T = 10, 100, 1000, docs/vdm.md#reading-the-bound); on a 2D toy VDM run: the " +
                "held-out points of its bound in nats beside their exact NLL (default: the run's bound_points; docs/vdm.md#toy-bound)",
            DefaultValueFactory = _ => 0
        };
        var noFigures = new Option<bool>("--no-figures")
        {
            Description = "[images] skip the figures (forward/reverse process, sampler comparison, interpolation)"
        };
        var runDir = new Argument<string>("RUN_DIR") { Description = "A run directory written by gensharp train" };
        var n = new Option<int>("--n") { Description = "Number of samples to evaluate", DefaultValueFactory = _ => 5000 };
        var seed = new Option<long>("--seed") { Description = "Sampling seed", DefaultValueFactory = _ => 0 };
        var quiet = new Option<bool>("--quiet") { Description = "No progress bar" };
        var command = new Command("eval", "Sample a trained run and score the samples (exact metrics against the true density on 2D toys); writes " +
            "eval.json and refreshes report.html.\n\n" +
            "Examples:\n  gensharp eval runs/demo\n  gensharp eval runs/ddpm-mog2 --n 10000 --seed 3\n" +
            "  gensharp eval runs/ddpm-fashion-mnist --n 10000 --sampler ddim --steps 50\n" +
            "  gensharp eval runs/ddpm-fashion-mnist --n 1000 --sampler ddpm --bpd 100\n  gensharp eval runs/ncsn-fashion-mnist --n 1000 --T 5\n" +
            "  gensharp eval runs/ddpm-fashion-mnist --start-from runs/gan-ns --t0-sweep 25,50,100,200,400 --n 1000\n" +
            "  gensharp eval runs/gan-ns --n 10000 --shard 0/4 --features\n  gensharp eval merge runs/gan-ns/shards/eval-n10000-seed0/*\n" +
            "  gensharp eval real\n  gensharp eval fd A_DIR B_DIR\n  gensharp eval train-classifier");
        command.Arguments.Add(runDir);
        command.Subcommands.Add(EvalTrainClassifierCommand.Build());
        command.Subcommands.Add(EvalTrainOcrCommand.Build());
        command.Subcommands.Add(EvalFdCommand.Build());
        command.Subcommands.Add(EvalRealCommand.Build());
        command.Subcommands.Add(EvalMergeCommand.Build());
        foreach (var o in new Option[] { n, seed, quiet, bpd, noFigures }) command.Options.Add(o);
        samplerOptions.AddTo(command);
        langevinOptions.AddTo(command);
        shardOptions.AddTo(command);
        var guidanceOptions = new GuidanceCliOptions(sweep: true);
        guidanceOptions.AddTo(command);
        var earlyStop = new EarlyStopCliOptions(sweep: true);
        earlyStop.AddTo(command);
        common.AddTo(command);
        command.SetAction(parse =>
        {
            var device = TorchRuntime.Initialize(common.Read(parse));
            var run = RunDirectory.Open(parse.GetValue(runDir)!);
            string kind = RunConfigFile.ReadKind(run);
            var langevin = langevinOptions.Read(parse);
            LangevinCliOptions.RefuseFor(kind, langevin);
            EvalOptionRefusals.Check(kind, parse.GetValue(bpd), parse.GetValue(noFigures));
            Limits.Check(
                "--n",
                parse.GetValue(n),
                1,
                kind is Diffusion.Toy.ToyDdpmConfig.Kind or Vdm.Toy.ToyVdmConfig.Kind ? Limits.MaxSamples : SampleOutputGuard.MaxImageSamples);
            var recipe = Registry.Recipe(kind);
            var sampler = samplerOptions.ReadFor(parse, run, kind);
            if (shardOptions.Read(parse) is ({ } shard, int batch))
                return EvalMergeCommand.RunShard(parse, shardOptions, ShardCliOptions.RequireImages(recipe, kind), run, kind, shard, batch,
                    new Pipelines.SamplingChoice(sampler, langevin), device);
            var request = new EvalRequest(parse.GetValue(n), parse.GetValue(seed), parse.GetValue(quiet), sampler, parse.GetValue(bpd),
                !parse.GetValue(noFigures), langevin, guidanceOptions.Read(parse));
            if (earlyStop.Read(parse) is string start) return earlyStop.RunSweep(parse, run, start, request, device);
            var outcome = recipe.Evaluate(run, request, device);
            var w = parse.InvocationConfiguration.Output;
            w.WriteLine($"wrote {outcome.EvalPath}");
            w.WriteLine($"report: {run.ReportPath}");
            PrintMetrics(w, outcome);
            return 0;
        });
        return command;
    }

    /// <summary>Prints the feature network image metrics were computed with (if any), then the metrics as aligned name/value lines.</summary>
    public static void PrintMetrics(TextWriter w, EvalOutcome outcome)
    {
        if (outcome.Features is not null) w.WriteLine($"features: {outcome.Features}");
        foreach (var (k, v) in outcome.Metrics)
            w.WriteLine($"  {k,-32}{(v is null ? "n/a" : v.Value.ToString("G5", System.Globalization.CultureInfo.InvariantCulture))}");
    }
}
