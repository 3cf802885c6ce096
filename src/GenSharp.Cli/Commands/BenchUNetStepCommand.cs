using System.CommandLine;
using System.Text.Json;
using GenSharp.Bench;
using GenSharp.Nn;
using GenSharp.Runtime;
using GenSharp.Training;
using TorchSharp;

namespace GenSharp.Cli.Commands;

/// <summary><c>gensharp bench unet-step</c>: the reference U-Net's DDPM training step, timed like the PyTorch peer's ddpm_step.py.</summary>
public static class BenchUNetStepCommand
{
    public static Command Build()
    {
        var common = new CommonOptions();
        var batch = new Option<int>("--batch") { Description = "Batch size", DefaultValueFactory = _ => 64 };
        var steps = new Option<int>("--steps") { Description = "Timed steps", DefaultValueFactory = _ => 20 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed warm-up steps", DefaultValueFactory = _ => 3 };
        var ch = new Option<int>("--ch")
        {
            Description = "U-Net base width ch (32 is the reference, 1,112,801 parameters)",
            DefaultValueFactory = _ => 32,
        };
        var memory = new Option<bool>("--memory") { Description = "Instead of timing, report resident memory (VmRSS) after --n1 and --n2 steps" };
        var n1 = new Option<int>("--n1") { Description = "With --memory: first reading after this many steps", DefaultValueFactory = _ => 200 };
        var n2 = new Option<int>("--n2") { Description = "With --memory: second reading after this many steps", DefaultValueFactory = _ => 2000 };
        var precision = new Option<string>("--precision")
        {
            Description = "fp32, or bf16 mixed precision (bfloat16 forward/backward, fp32 master weights and AdamW)",
            DefaultValueFactory = _ => TrainingPrecision.Fp32,
        };
        var json = new Option<bool>("--json") { Description = "One JSON line" };
        var command = new Command("unet-step",
            "Time one full DDPM training step of the reference U-Net (SPEC §3.2) on 28x28x1 inputs: random t, noising, " +
            "forward, L_simple, backward, AdamW lr 2e-4, exactly like the PyTorch peer bench/peer/ddpm_step.py. " +
            "Reports median/min step time and GFLOP/s (analytic FLOPs, backward = 2 x forward).\n\n" +
            "Examples:\n  gensharp bench unet-step --threads 2 --json\n  gensharp bench unet-step --batch 128 --ch 64\n" +
            "  gensharp bench unet-step --precision bf16 --threads 2 --json\n" +
            "  gensharp bench unet-step --memory --n1 200 --n2 2000 --json");
        foreach (var o in new Option[] { batch, steps, warmup, ch, precision, memory, n1, n2, json }) command.Options.Add(o);
        common.AddTo(command);
        command.SetAction(parse =>
        {
            string arithmetic = TrainingPrecision.Validate(parse.GetValue(precision)!);
            var device = TorchRuntime.Initialize(common.Read(parse));
            var config = new UNetConfig { Channels = parse.GetValue(ch) }.Validate();
            var line = new Dictionary<string, object> { ["bench"] = "unet-step" };
            if (parse.GetValue(memory))
            {
                var m = UNetStepBenchmark.Memory(
                    config, parse.GetValue(batch), parse.GetValue(n1), parse.GetValue(n2), device, precision: arithmetic);
                line["params"] = m.Params;
                line["batch"] = m.Batch;
                line[$"rss_mb_after_{m.StepsA}"] = Math.Round(m.RssBytesA / 1048576.0, 1);
                line[$"rss_mb_after_{m.StepsB}"] = Math.Round(m.RssBytesB / 1048576.0, 1);
                line["rss_ratio"] = Math.Round(m.Ratio, 4);
                line["rss_flat"] = m.Ratio <= 1.05;
                line[$"live_tensors_after_{m.StepsA}"] = m.LiveTensorsA;
                line[$"live_tensors_after_{m.StepsB}"] = m.LiveTensorsB;
                line["wall_s"] = Math.Round(m.Seconds, 1);
            }
            else
            {
                var r = UNetStepBenchmark.Run(
                    config, parse.GetValue(batch), parse.GetValue(steps), parse.GetValue(warmup), device, precision: arithmetic);
                line["params"] = r.Params;
                line["batch"] = r.Batch;
                line["steps"] = r.Step.Repetitions;
                line["median_step_s"] = r.Step.MedianSeconds;
                line["min_step_s"] = r.Step.MinSeconds;
                line["max_step_s"] = r.Step.MaxSeconds;
                line["gflop_per_step"] = Math.Round(r.GflopPerStep, 3);
                line["gflops"] = Math.Round(r.Gflops, 2);
                line["flop_convention"] = "analytic conv/linear/attention matmuls, multiply-add = 2, backward = 2 x forward";
            }
            line["precision"] = arithmetic;
            line["threads"] = torch.get_num_threads();
            line["omp_wait"] = OpenMpWaitPolicy.Applied ?? "libgomp default";
            line["device"] = device.ToString();
            var w = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) w.WriteLine(JsonSerializer.Serialize(line));
            else foreach (var (k, v) in line) w.WriteLine($"{k,-26}{v}");
            return 0;
        });
        return command;
    }
}
