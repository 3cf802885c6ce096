using System.CommandLine;
using System.Text.Json;
using GenSharp.Bench;
using GenSharp.Runtime;
using TorchSharp;

namespace GenSharp.Cli.Commands;

/// <summary><c>gensharp bench matmul</c>: the fp32 matrix-multiply peak with the current thread count.</summary>
public static class BenchMatmulCommand
{
    public static Command Build()
    {
        var common = new CommonOptions();
        var n = new Option<int>("--n") { Description = "Matrix size n (n x n times n x n, 2 n^3 FLOPs)", DefaultValueFactory = _ => 2048 };
        var repeat = new Option<int>("--repeat") { Description = "Timed repetitions", DefaultValueFactory = _ => 10 };
        var json = new Option<bool>("--json") { Description = "One JSON line" };
        var command = new Command("matmul",
            "Measure the machine's fp32 matrix-multiply throughput (GFLOP/s) with the current thread count: the peak " +
            "against which a network's achieved GFLOP/s (bench unet-step) is a fraction.\n\n" +
            "Examples:\n  gensharp bench matmul --threads 2\n  gensharp bench matmul --n 1024 --json");
        foreach (var o in new Option[] { n, repeat, json }) command.Options.Add(o);
        common.AddTo(command);
        command.SetAction(parse =>
        {
            var device = TorchRuntime.Initialize(common.Read(parse));
            var r = MatmulBenchmark.Run(parse.GetValue(n), parse.GetValue(repeat), device);
            var line = new Dictionary<string, object>
            {
                ["bench"] = "matmul",
                ["n"] = r.N,
                ["median_s"] = r.Time.MedianSeconds,
                ["min_s"] = r.Time.MinSeconds,
                ["gflops"] = Math.Round(r.Gflops, 2),
                ["best_gflops"] = Math.Round(r.BestGflops, 2),
                ["threads"] = torch.get_num_threads(),
                ["device"] = device.ToString(),
            };
            var w = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) w.WriteLine(JsonSerializer.Serialize(line));
            else foreach (var (k, v) in line) w.WriteLine($"{k,-22}{v}");
            return 0;
        });
        return command;
    }
}
