using System.CommandLine;
using GenSharp.Diffusion.Images;
using GenSharp.Runtime;
using GenSharp.Training;

namespace GenSharp.Cli.Commands;

/// <summary><c>gensharp interpolate RUN --seeds A,B --frames K [--method slerp|lerp]</c> (docs/samplers.md#interpolation).</summary>
public static class InterpolateCommand
{
    public static Command Build()
    {
        var common = new CommonOptions();
        var runDir = new Argument<string>("RUN_DIR") { Description = "An image DDPM run written by gensharp train ddpm" };
        var seeds = new Option<string>("--seeds")
        {
            Description = "The two seeds A,B: the ends are the images gensharp sample --seed A (and B) --n 1 draws with the same DDIM",
            Required = true,
        };
        var frames = new Option<int>("--frames") { Description = "Frames K, both ends included", DefaultValueFactory = _ => 9 };
        var method = new Option<string>("--method")
        {
            Description = "slerp (spherical: every noise stays a typical Gaussian draw) or lerp (straight line)",
            DefaultValueFactory = _ => "slerp",
        };
        var steps = new Option<int?>("--steps") { Description = "Deterministic DDIM steps (default min(50, T), on the run's spacing)" };
        var output = new Option<string?>("--output", "-o") { Description = "A new folder for strip.png, frames.gif, interpolation.json" };
        var scale = new Option<int>("--scale") { Description = "GIF pixels per image pixel", DefaultValueFactory = _ => 4 };
        var delay = new Option<int>("--delay-ms") { Description = "GIF time per frame, milliseconds", DefaultValueFactory = _ => 250 };
        var command = new Command("interpolate", "Decode start noises between two seeds with deterministic DDIM (eta 0) into a PNG strip and an " +
            "animated GIF; the ends equal the samples of the two seeds (docs/samplers.md#interpolation).\n\nExamples:\n" +
            "  gensharp interpolate runs/ddpm-fashion-mnist --seeds 3,7 --frames 9\n" +
            "  gensharp interpolate runs/ddpm-fashion-mnist --seeds 3,7 --frames 9 --method lerp -o lerp-3-7");
        command.Arguments.Add(runDir);
        foreach (var o in new Option[] { seeds, frames, method, steps, output, scale, delay }) command.Options.Add(o);
        common.AddTo(command);
        command.SetAction(parse =>
        {
            var pair = CliLists.Longs(parse.GetValue(seeds)!, "--seeds");
            if (pair.Length != 2) throw new ConfigException($"--seeds {parse.GetValue(seeds)}: give two different seeds A,B");
            Limits.Check("--scale", parse.GetValue(scale), 1, 16);
            Limits.Check("--delay-ms", parse.GetValue(delay), 10, 60_000);
            var device = TorchRuntime.Initialize(common.Read(parse));
            var run = RunDirectory.Open(parse.GetValue(runDir)!);
            var outcome = ImageDdpmInterpolation.Run(run, new InterpolationRequest(pair[0], pair[1], parse.GetValue(frames), parse.GetValue(method)!,
                parse.GetValue(steps), parse.GetValue(output), parse.GetValue(scale), parse.GetValue(delay)), device);
            var w = parse.InvocationConfiguration.Output;
            w.WriteLine($"wrote {outcome.Strip}");
            w.WriteLine($"wrote {outcome.Gif}");
            w.WriteLine($"{parse.GetValue(frames)} frames with {outcome.Sampler} ({outcome.FunctionEvaluations} network evaluations each) in " +
                $"{outcome.Seconds:F2} s");
            return 0;
        });
        return command;
    }
}
