using System.Text.Json;
using GenSharp.Bench;
using GenSharp.Nn;
using GenSharp.Tests.Cli;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Bench;

/// <summary>Runs alone (no other test allocating meanwhile), so that the process's resident memory means something.</summary>
[CollectionDefinition("memory", DisableParallelization = true)]
public sealed class MemoryCollection;

[Collection("memory")]
[Trait("Category", "Benchmark")]
public sealed class UNetStepBenchmarkTests
{
    private static readonly UNetConfig Tiny = new() { Channels = 8, Groups = 4, Multipliers = [1, 2], AttentionResolutions = [4], Height = 8,
        Width = 8 };

    /// <summary>A tiny network is fastest on one thread (no parallel-region wake-ups); the setting is per OS thread.</summary>
    private static T OnOneThread<T>(Func<T> run)
    {
        int threads = get_num_threads();
        set_num_threads(1);
        try { return run(); }
        finally { set_num_threads(threads); }
    }

    [Fact]
    public void MemoryStaysFlatOverHundredsOfTrainingSteps()
    {
        var m = OnOneThread(() => UNetStepBenchmark.Memory(Tiny, batch: 4, stepsA: 50, stepsB: 250, CPU, quiet: true));
        Assert.Equal(m.LiveTensorsA, m.LiveTensorsB); // no tensor accumulates from step to step
        Assert.True(m.Ratio <= 1.05, $"RSS {m.RssBytesA / 1048576.0:F1} MB after {m.StepsA} steps, " +
            $"{m.RssBytesB / 1048576.0:F1} MB after {m.StepsB}");
    }

    [Fact]
    public void TrainingStepLowersTheLossOnAFixedBatch()
    {
        using var step = new UNetTrainingStep(Tiny, batch: 8, CPU);
        var (first, last) = OnOneThread(() =>
        {
            var first = Enumerable.Range(0, 5).Select(_ => step.Run()).Average();
            for (int i = 0; i < 40; i++) step.Run();
            return (first, Enumerable.Range(0, 5).Select(_ => step.Run()).Average());
        });
        Assert.True(first > 0.5 && last < first, $"L_simple {first} -> {last}");
    }

    [Fact]
    public void CliPrintsStepTimeFlopsAndMemory()
    {
        var (rc, output, err) = CliRunner.Run("bench", "unet-step", "--ch", "8", "--batch", "2", "--steps", "2", "--warmup", "0", "--json");
        Assert.True(rc == 0, err);
        using (var doc = JsonDocument.Parse(output))
        {
            var r = doc.RootElement;
            Assert.Equal(UNetCost.Of(new UNetConfig { Channels = 8 }).Parameters, r.GetProperty("params").GetInt64());
            Assert.Equal(3 * 2 * UNetCost.Of(new UNetConfig { Channels = 8 }).ForwardFlopsPerSample / 1e9, 
                r.GetProperty("gflop_per_step").GetDouble(), 3);
            Assert.True(r.GetProperty("median_step_s").GetDouble() > 0);
            // gflops is printed rounded to 2 decimals: compare within that rounding plus 1 % relative.
            double expectedGflops = r.GetProperty("gflop_per_step").GetDouble() / r.GetProperty("median_step_s").GetDouble();
            double printed = r.GetProperty("gflops").GetDouble();
            Assert.True(Math.Abs(expectedGflops - printed) <= 0.005 + 0.01 * expectedGflops, $"gflops {printed} vs {expectedGflops}");
        }

        (rc, output, err) = CliRunner.Run("bench", "unet-step", "--ch", "8", "--batch", "2", "--memory", "--n1", "2", "--n2", "4", "--json");
        Assert.True(rc == 0, err);
        using (var doc = JsonDocument.Parse(output))
            Assert.True(doc.RootElement.GetProperty("rss_mb_after_4").GetDouble() > 0);

        (rc, output, err) = CliRunner.Run("bench", "matmul", "--n", "128", "--repeat", "3", "--json");
        Assert.True(rc == 0, err);
        using (var doc = JsonDocument.Parse(output))
            Assert.True(doc.RootElement.GetProperty("gflops").GetDouble() > 0);

        (rc, _, err) = CliRunner.Run("bench", "unet-step", "--ch", "30");
        Assert.Equal(2, rc);
        Assert.Contains("GroupNorm groups", err);
    }
}
