using System.CommandLine;
using System.Text.Json;
using GenSharp.Bench;
using GenSharp.Diffusion;
using GenSharp.Nn;
using GenSharp.Runtime;
using TorchSharp;

namespace GenSharp.Cli.Commands;

/// <summary><c>gensharp bench &lt;what&gt;</c>: the benchmark entry point; one sub-command per measurement.</summary>
public static class BenchCommand
{
    public static Command Build()
    {
        var command = new Command("bench", "Measure speed (median step times, samples/s); prints a table or one JSON line.\n\n" +
            "Examples:\n  gensharp bench toy-step --threads 2 --json");
        command.Subcommands.Add(BuildToyStep());
        command.Subcommands.Add(BenchUNetStepCommand.Build());
        command.Subcommands.Add(BenchMatmulCommand.Build());
        return command;
    }

    private static Command BuildToyStep()
    {
        var common = new CommonOptions();
        var batch = new Option<int>("--batch") { Description = "Batch size", DefaultValueFactory = _ => 512 };
        var steps = new Option<int>("--steps") { Description = "Timed steps", DefaultValueFactory = _ => 50 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed warm-up steps", DefaultValueFactory = _ => 5 };
        var hidden = new Option<int>("--hidden") { Description = "MLP width", DefaultValueFactory = _ => 128 };
        var sampleN = new Option<int>("--sample-n") { Description = "Samples drawn for the samples/s figure", DefaultValueFactory = _ => 2000 };
        var json = new Option<bool>("--json") { Description = "One JSON line" };
        var command = new Command("toy-step", "Time the 2D DDPM's training step and its 1000-step ancestral sampler (the demo's network).\n\n" +
            "Examples:\n  gensharp bench toy-step --threads 2\n  gensharp bench toy-step --batch 1024 --json");
        foreach (var o in new Option[] { batch, steps, warmup, hidden, sampleN, json }) command.Options.Add(o);
        common.AddTo(command);
        command.SetAction(parse =>
        {
            var device = TorchRuntime.Initialize(common.Read(parse));
            if (parse.GetValue(steps) < 1 || parse.GetValue(batch) < 1 || parse.GetValue(sampleN) < 1)
                throw new ConfigException("--steps, --batch and --sample-n must be at least 1");
            var r = ToyDdpmBenchmark.Run(new MlpNoisePredictorConfig(Hidden: parse.GetValue(hidden)), new NoiseScheduleConfig(),
                parse.GetValue(batch), parse.GetValue(steps), parse.GetValue(warmup), parse.GetValue(sampleN), device);
            var w = parse.InvocationConfiguration.Output;
            var line = new Dictionary<string, object>
            {
                ["bench"] = "toy-step",
                ["params"] = r.Params,
                ["batch"] = r.Batch,
                ["median_step_s"] = r.Step.MedianSeconds,
                ["min_step_s"] = r.Step.MinSeconds,
                ["sample_n"] = r.SampleN,
                ["samples_per_s"] = Math.Round(r.SamplesPerSecond, 1),
                ["function_evaluations"] = r.FunctionEvaluations,
                ["threads"] = torch.get_num_threads(),
                ["device"] = device.ToString(),
            };
            if (parse.GetValue(json)) w.WriteLine(JsonSerializer.Serialize(line));
            else foreach (var (k, v) in line) w.WriteLine($"{k,-22}{v}");
            return 0;
        });
        return command;
    }
}
