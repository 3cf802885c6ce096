using System.Text.Json;
using GenSharp.Training;
using static TorchSharp.torch;

namespace GenSharp.Tests.Cli;

/// <summary><c>--precision bf16</c> on <c>bench unet-step</c> and <c>train ddpm</c> (tiny U-Net, real Fashion-MNIST, T = 100).</summary>
[Collection("training")]
[Trait("Category", "Slow")]
public sealed class PrecisionCliTests
{
    [Fact]
    public void BenchUNetStepReportsItsPrecision()
    {
        foreach (string precision in new[] { "bf16", "fp32" })
        {
            var (rc, output, err) = CliRunner.Run("bench", "unet-step", "--ch", "8", "--batch", "2", "--steps", "2", "--warmup", "0",
                "--threads", "1", "--precision", precision, "--json");
            Assert.True(rc == 0, err);
            using var doc = JsonDocument.Parse(output);
            Assert.Equal(precision, doc.RootElement.GetProperty("precision").GetString());
            Assert.True(doc.RootElement.GetProperty("median_step_s").GetDouble() > 0);
        }
    }

    [Fact]
    public void AnUnknownPrecisionIsAOneLineErrorWithExitCode2()
    {
        var bench = CliRunner.Run("bench", "unet-step", "--ch", "8", "--batch", "2", "--precision", "fp16", "--json");
        Assert.Equal(2, bench.ExitCode);
        Assert.Equal("error: --precision fp16: use fp32 or bf16 (bfloat16 mixed precision with fp32 master weights)", bench.Err.Trim());
        Assert.Empty(bench.Out);

        string runs = TestTemp.Directory("gensharp-bf16").FullName;
        var train = CliRunner.Run("train", "ddpm", "--runs", runs, "--data", "fashion-mnist", "--precision", "half", "--quiet");
        Assert.Equal(2, train.ExitCode);
        Assert.Single(train.Err.Trim().Split('\n'));
        Assert.Contains("--precision half", train.Err);
        Assert.Empty(Directory.GetDirectories(runs));
    }

    [Fact]
    public void TrainDdpmInBf16KeepsFp32CheckpointsResumesInBf16AndSamples()
    {
        string runs = TestTemp.Directory("gensharp-bf16").FullName;
        var train = CliRunner.Run("train", "ddpm", "--runs", runs, "--name", "bf16", "--data", "fashion-mnist", "--precision", "bf16",
            "--steps", "20", "--batch", "8", "--ch", "8", "--mults", "1,2", "--attn", "none", "--timesteps", "100", "--sample-every", "20",
            "--eval-every", "0", "--final-eval-n", "0", "--sampler-steps", "5", "--checkpoint-every", "10", "--log-every", "10",
            "--threads", "1", "--quiet");
        Assert.True(train.ExitCode == 0, train.Err + train.Out);
        var run = RunDirectory.Open(Path.Combine(runs, "bf16"));
        using (var config = JsonDocument.Parse(File.ReadAllText(run.ConfigPath)))
            Assert.Equal("bf16", config.RootElement.GetProperty("precision").GetString());
        var (_, losses) = run.Metrics.Series("loss");
        Assert.Equal(2, losses.Length);
        Assert.All(losses, l => Assert.True(double.IsFinite(l) && l > 0, $"loss {l}"));

        // the checkpoint holds the fp32 masters, their EMA and fp32 AdamW moments
        using (var checkpoint = Safetensors.Load(run.CheckpointPath(20)))
        {
            Assert.Contains(checkpoint.Tensors.Keys, k => k.StartsWith("model.", StringComparison.Ordinal));
            Assert.All(checkpoint.Tensors.Where(kv => kv.Key.StartsWith("model.", StringComparison.Ordinal) ||
                kv.Key.StartsWith("ema.", StringComparison.Ordinal)),
                kv => Assert.Equal(ScalarType.Float32, kv.Value.dtype));
        }

        // a killed run resumes from its config (still bf16) to the same final step
        File.Delete(run.CheckpointPath(20));
        var resumed = CliRunner.Run("train", "ddpm", "--runs", runs, "--name", "bf16", "--resume", "--threads", "1", "--quiet");
        Assert.True(resumed.ExitCode == 0, resumed.Err);
        Assert.Equal(run.CheckpointPath(20), Checkpoint.FindLatest(run.CheckpointsDir));
        using (var config = JsonDocument.Parse(File.ReadAllText(run.ConfigPath)))
            Assert.Equal("bf16", config.RootElement.GetProperty("precision").GetString());

        // sampling loads the fp32 EMA as for any run
        var sample = CliRunner.Run("sample", run.Root, "--n", "3", "--sampler", "ddim", "--steps", "5", "-o", Path.Combine(runs, "out"),
            "--threads", "1", "--quiet");
        Assert.True(sample.ExitCode == 0, sample.Err);
        Assert.Equal(3, Directory.GetFiles(Path.Combine(runs, "out"), "*.png").Length);
    }
}
