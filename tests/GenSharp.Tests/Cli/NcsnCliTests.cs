using System.Text.Json;
using GenSharp.Cli;
using GenSharp.Data;
using GenSharp.Score.Samplers;
using GenSharp.Training;

namespace GenSharp.Tests.Cli;

/// <summary>
/// <c>gensharp train ncsn</c> end to end on real Fashion-MNIST with a tiny U-Net, 256 images and a cheap sampler
/// (6 of the levels, T = 2), single-threaded: every output, sample/eval on the run, resume, and clear errors.
/// </summary>
[Collection("training")]
[Trait("Category", "Slow")]
public sealed class NcsnCliTests
{
    private static readonly string[] Tiny =
        ["--data", "fashion-mnist", "--train-limit", "256", "--steps", "20", "--batch", "16", "--ch", "8", "--mults", "1,2", "--attn", "none",
         "--levels-used", "6", "--T", "2", "--sample-every", "10", "--eval-every", "10", "--eval-n", "20", "--final-eval-n", "20",
         "--checkpoint-every", "10", "--log-every", "5", "--threads", "1", "--quiet"];

    [Fact]
    public void TrainsSamplesEvaluatesAndResumesOnFashionMnist()
    {
        string runs = TestTemp.Directory("gensharp-ncsn").FullName;
        var train = CliRunner.Run(["train", "ncsn", "--runs", runs, "--name", "tiny", .. Tiny]);
        Assert.True(train.ExitCode == 0, train.Err + train.Out);
        var run = RunDirectory.Open(Path.Combine(runs, "tiny"));

        // config: kind, resolved noise levels by techniques 1 and 2 (256 images: sigma_1 exact), sampling plan
        using (var config = JsonDocument.Parse(File.ReadAllText(run.ConfigPath)))
        {
            var root = config.RootElement;
            Assert.Equal("ncsn-image", root.GetProperty("model").GetString());
            var noise = root.GetProperty("noise");
            double sigma1 = noise.GetProperty("sigma1").GetDouble();
            Assert.InRange(sigma1, 5, 28);   // a distance between two images in [0, 1]^784 is at most 28
            Assert.Contains("exact", noise.GetProperty("sigma1_source").GetString());
            Assert.Equal(GenSharp.Score.Ncsnv2Techniques.NumberOfLevels(sigma1, 0.01, noise.GetProperty("gamma_root").GetDouble()),
                noise.GetProperty("levels").GetInt32());
            Assert.Equal(6, root.GetProperty("sampling").GetProperty("levels_used").GetInt32());
        }
        // metrics, FD during training beside its floor, sample grids
        Assert.Equal([5.0, 10.0, 15.0, 20.0], run.Metrics.Series("loss").Steps);
        var (evalSteps, fd) = run.EvalCurve.Series("fd");
        Assert.Equal([10.0, 20.0], evalSteps);
        var (_, floor) = run.EvalCurve.Series("fd_floor");
        Assert.All(fd.Zip(floor), p => Assert.True(p.First > p.Second, $"an untrained model's FD {p.First} must exceed the floor {p.Second}"));
        Assert.Equal(2, Directory.GetFiles(run.SamplesDir, "step-*.png").Length);

        // the final evaluation, the figures and the report
        using (var eval = JsonDocument.Parse(File.ReadAllText(run.EvalPath)))
        {
            var m = eval.RootElement.GetProperty("metrics");
            Assert.True(m.GetProperty("fd").GetDouble() > m.GetProperty("fd_floor").GetDouble());
            Assert.True(m.GetProperty("fd_noise").GetDouble() > m.GetProperty("fd_floor").GetDouble());
            Assert.Equal(6 * 2 + 1, m.GetProperty("function_evaluations").GetDouble());
            Assert.Equal("fmnist-features-v1", eval.RootElement.GetProperty("features").GetString());
            Assert.Equal(6, eval.RootElement.GetProperty("sampler").GetProperty("levels_used").GetInt32());
        }
        foreach (string figure in new[] { "noise-levels.png", "annealing-progression.png", "denoising.png", "loss.png",
            "fd-over-training.png", "class-histogram.png" })
            Assert.True(File.Exists(Path.Combine(run.PlotsDir, figure)), $"missing plots/{figure}");
        string report = File.ReadAllText(run.ReportPath);
        Assert.Contains("data:image/png;base64,", report);
        Assert.Contains("Annealed Langevin dynamics", report);
        Assert.Contains("technique 1", report);

        // sample with a cheaper sampler: 4 levels x T = 1 + denoising = 5 evaluations; PNGs read back as images
        string output = Path.Combine(runs, "out");
        var sample = CliRunner.Run("sample", run.Root, "--n", "5", "--T", "1", "--levels-used", "4", "-o", output, "--threads", "1", "--quiet");
        Assert.True(sample.ExitCode == 0, sample.Err);
        Assert.Contains("5 network evaluations", sample.Out);
        using (var images = PngFolder.Load(output))
            Assert.Equal(new long[] { 5, 1, 28, 28 }, images.Images.shape);
        var ddimOnNcsn = CliRunner.Run("sample", run.Root, "--n", "5", "--sampler", "ddim", "--quiet");
        Assert.Equal(2, ddimOnNcsn.ExitCode);
        Assert.Contains("annealed Langevin", ddimOnNcsn.Err);
        var tooMany = CliRunner.Run("sample", run.Root, "--n", "5", "--levels-used", "100000", "--quiet");
        Assert.Equal(2, tooMany.ExitCode);
        Assert.Contains("--levels-used 100000", tooMany.Err);

        // eval with overrides refreshes eval.json
        var eval2 = CliRunner.Run("eval", run.Root, "--n", "20", "--T", "1", "--levels-used", "3", "--no-denoise", "--no-figures",
            "--threads", "1", "--quiet");
        Assert.True(eval2.ExitCode == 0, eval2.Err);
        using (var eval = JsonDocument.Parse(File.ReadAllText(run.EvalPath)))
            Assert.Equal(3, eval.RootElement.GetProperty("metrics").GetProperty("function_evaluations").GetDouble());

        // a killed run resumes to the same final step
        File.Delete(run.CheckpointPath(20));
        var resumed = CliRunner.Run("train", "ncsn", "--runs", runs, "--name", "tiny", "--resume", "--threads", "1", "--quiet");
        Assert.True(resumed.ExitCode == 0, resumed.Err);
        Assert.Equal(run.CheckpointPath(20), Checkpoint.FindLatest(run.CheckpointsDir));
        Assert.Equal([10.0, 20.0], run.EvalCurve.Series("fd").Steps);
        Assert.Equal([5.0, 10.0, 15.0, 20.0], run.Metrics.Series("loss").Steps);
    }

    [Theory]
    [InlineData("--data toy:mog2", "train ncsn needs images")]
    [InlineData("--data mnist", "unknown data; use toy:NAME, toy:FILE.json, fashion-mnist, fashion-mnist:DIR, png:DIR")]
    [InlineData("--data fashion-mnist:/no/such/dir", "Fashion-MNIST not found in /no/such/dir")]
    [InlineData("--sigma1 0.001", "--sigma1 0.001: must be larger than --sigmaL 0.01")]
    [InlineData("--sigmaL -1", "--sigmaL -1")]
    [InlineData("--levels 1", "--levels 1: must be at least 2")]
    [InlineData("--T 0", "--T 0: must be at least 1")]
    [InlineData("--sigma1 10 --levels 20 --levels-used 21", "--levels-used 21: must be between 2 and the run's L = 20")]
    [InlineData("--sigma1 10 --levels 20 --eps 1", "makes the chain diverge")]
    [InlineData("--batch 1", "--batch 1: must be at least 2")]
    [InlineData("--train-limit 8 --batch 16", "--batch 16: larger than the 8 training images")]
    [InlineData("--mults 1,x", "--mults 1,x")]
    [InlineData("--lr-decay wobbly", "wobbly")]
    public void BadOptionsAreOneLineErrorsWithExitCode2(string options, string expected)
    {
        string runs = TestTemp.Directory("gensharp-ncsn-bad").FullName;
        var (rc, _, err) = CliRunner.Run(["train", "ncsn", "--runs", runs, "--quiet", "--threads", "1", .. options.Split(' ')]);
        Assert.Equal(2, rc);
        Assert.StartsWith("error: ", err);
        Assert.Contains(expected, err);
        Assert.DoesNotContain('\n', err.Trim());
        Assert.Empty(Directory.GetDirectories(runs));
    }

    [Fact]
    public void LangevinOptionsAreRefusedForOtherRunKinds()
    {
        var e = Assert.Throws<ConfigException>(() => LangevinCliOptions.RefuseFor("ddpm-image", new AnnealedLangevinOverrides(StepsPerLevel: 3)));
        Assert.Contains("apply to NCSN runs", e.Message);
        LangevinCliOptions.RefuseFor("ddpm-image", null);
        LangevinCliOptions.RefuseFor("ncsn-image", new AnnealedLangevinOverrides(StepsPerLevel: 3));
    }
}
