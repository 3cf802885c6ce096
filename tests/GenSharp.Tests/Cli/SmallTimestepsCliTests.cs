using GenSharp.Training;

namespace GenSharp.Tests.Cli;

/// <summary>
/// A DDPM with fewer diffusion steps than the figures' usual sampler steps (T = 20 here, below DDIM's 50 and the comparison's
/// 100): every figure and evaluation derives its sampler settings from T, so training ends with a full report.
/// </summary>
[Collection("training")]
[Trait("Category", "Slow")]
public sealed class SmallTimestepsCliTests
{
    [Fact]
    public void TrainingWithTwentyTimestepsWritesEveryFigureAndTheReport()
    {
        string runs = TestTemp.Directory("gensharp-t20").FullName;
        // the command of the bug report, with a tiny U-Net and a small final evaluation so that it runs in seconds
        var train = CliRunner.Run("train", "ddpm", "--data", "fashion-mnist", "--timesteps", "20", "--sampler-steps", "10", "--steps", "20",
            "--name", "x", "--runs", runs, "--ch", "8", "--mults", "1,2", "--attn", "none", "--batch", "16", "--final-eval-n", "20",
            "--threads", "2", "--quiet");
        Assert.True(train.ExitCode == 0, train.Err + train.Out);
        var run = RunDirectory.Open(Path.Combine(runs, "x"));
        Assert.True(File.Exists(run.ReportPath));
        foreach (string figure in new[] { "forward-noising.png", "reverse-process.png", "ddim-interpolation.png", "samplers.json" })
            Assert.True(File.Exists(Path.Combine(run.PlotsDir, figure)), $"missing plots/{figure}");
        Assert.Contains("Samplers side by side", File.ReadAllText(run.ReportPath));
        string samplers = File.ReadAllText(Path.Combine(run.PlotsDir, "samplers.json"));
        Assert.Contains("ddim-20-eta0", samplers);
        Assert.DoesNotContain("ddim-50", samplers);
    }
}
