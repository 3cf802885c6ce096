using System.CommandLine;
using GenSharp.Runtime;
using GenSharp.Training;

namespace GenSharp.Cli.Commands;

/// <summary><c>gensharp sample RUN_DIR --n N --seed S</c>.</summary>
public static class SampleCommand
{
    public static Command Build()
    {
        var common = new CommonOptions();
        var samplerOptions = new SamplerCliOptions();
        var langevinOptions = new LangevinCliOptions();
        var shardOptions = new ShardCliOptions(forEval: false);
        var runDir = new Argument<string>("RUN_DIR") { Description = "A run directory written by gensharp train" };
        var n = new Option<int>("--n") { Description = "Number of samples", DefaultValueFactory = _ => 1000 };
        var seed = new Option<long>("--seed") { Description = "Seed of the start noise and sampling noise", DefaultValueFactory = _ => 0 };
        var output = new Option<string?>("--output", "-o")
        {
            Description = "Output: a CSV file for 2D runs, a folder of PNG images for image runs (default under RUN_DIR/samples/)"
        };
        var quiet = new Option<bool>("--quiet") { Description = "No progress bar" };
        var command = new Command("sample", "Draw samples from a trained run (EMA weights of its latest checkpoint); reports samples/s and " +
            "network evaluations.\n\n" +
            "Examples:\n  gensharp sample runs/demo --n 2000 --seed 1\n" +
            "  gensharp sample runs/ddpm-fashion-mnist --sampler ddim --steps 50 --eta 0 --n 64\n" +
            "  gensharp sample runs/ddpm-fashion-mnist --sampler dpmpp --steps 20 --n 1000 -o fm-dpmpp\n" +
            "  gensharp sample runs/ddpm-fashion-mnist --n 10000 --shard 2/8\n" +
            "  gensharp sample runs/ddpm-fashion-mnist --start-from runs/gan-ns --t0 100 --n 1000   (early-stopped DDPM)\n" +
            "  gensharp sample runs/ddpm-captcha-text --text 7KQ2 --guidance 3 --n 16\n" +
            "  gensharp sample runs/ddpm-rings --n 500 -o rings.csv\n  gensharp sample runs/ncsn-fashion-mnist --n 64 --T 3 --levels-used 50");
        command.Arguments.Add(runDir);
        foreach (var o in new Option[] { n, seed, output, quiet }) command.Options.Add(o);
        samplerOptions.AddTo(command);
        langevinOptions.AddTo(command);
        shardOptions.AddTo(command);
        var guidanceOptions = new GuidanceCliOptions(sweep: false, text: true);
        guidanceOptions.AddTo(command);
        var earlyStop = new EarlyStopCliOptions(sweep: false);
        earlyStop.AddTo(command);
        common.AddTo(command);
        command.SetAction(parse =>
        {
            var device = TorchRuntime.Initialize(common.Read(parse));
            var run = RunDirectory.Open(parse.GetValue(runDir)!);
            string kind = RunConfigFile.ReadKind(run);
            var langevin = langevinOptions.Read(parse);
            LangevinCliOptions.RefuseFor(kind, langevin);
            SampleOutputGuard.Check(run, kind, parse.GetValue(n), parse.GetValue(output));
            var recipe = Registry.Recipe(kind);
            var (shard, batch) = shardOptions.Read(parse);
            if (shard is not null || batch > 0) ShardCliOptions.RequireImages(recipe, kind);
            var sampler = samplerOptions.ReadFor(parse, run, kind);
            var request = new SampleRequest(
                parse.GetValue(n),
                parse.GetValue(seed),
                parse.GetValue(output),
                parse.GetValue(quiet),
                sampler,
                langevin,
                shard,
                batch,
                guidanceOptions.Read(parse));
            string? start = earlyStop.Read(parse);
            var outcome = start is null ? recipe.Sample(run, request, device) : earlyStop.Sample(parse, run, start, request, device);
            var w = parse.InvocationConfiguration.Output;
            foreach (string f in outcome.Files) w.WriteLine($"wrote {f}");
            w.WriteLine($"{outcome.N} samples in {outcome.Seconds:F2} s ({outcome.SamplesPerSecond:F0} samples/s, {outcome.FunctionEvaluations} " +
                "network evaluations)");
            return 0;
        });
        return command;
    }
}
