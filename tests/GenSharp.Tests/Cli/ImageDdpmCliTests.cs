using System.Text.Json;
using GenSharp.Data;
using GenSharp.Training;

namespace GenSharp.Tests.Cli;

/// <summary>
/// The image DDPM end to end on real Fashion-MNIST with a tiny U-Net and T = 100 (so that it runs in
/// seconds): train with FD during training, sample with every sampler, evaluate, resume, and the report.
/// </summary>
[Collection("training")]
[Trait("Category", "Slow")]
public sealed class ImageDdpmCliTests
{
    private static readonly string[] Tiny =
        ["--data", "fashion-mnist", "--steps", "40", "--batch", "16", "--ch", "8", "--mults", "1,2", "--attn", "none", "--timesteps", "100",
         "--sample-every", "20", "--eval-every", "20", "--eval-n", "40", "--final-eval-n", "40", "--sampler-steps", "10",
         "--checkpoint-every", "20", "--log-every", "10", "--threads", "2", "--quiet"];

    [Fact]
    public void TrainsSamplesEvaluatesAndResumesOnFashionMnist()
    {
        string runs = TestTemp.Directory("gensharp-img").FullName;
        var train = CliRunner.Run(["train", "ddpm", "--runs", runs, "--name", "tiny", .. Tiny]);
        Assert.True(train.ExitCode == 0, train.Err + train.Out);
        var run = RunDirectory.Open(Path.Combine(runs, "tiny"));

        // config: resolved shape, network and sampler
        using (var config = JsonDocument.Parse(File.ReadAllText(run.ConfigPath)))
        {
            Assert.Equal("ddpm-image", config.RootElement.GetProperty("model").GetString());
            Assert.Equal(28, config.RootElement.GetProperty("network").GetProperty("height").GetInt32());
            Assert.Equal(64, config.RootElement.GetProperty("data_hash").GetString()!.Length);
        }
        // FD during training, beside its floor, at steps 20 and 40
        var (evalSteps, fd) = run.EvalCurve.Series("fd");
        Assert.Equal([20.0, 40.0], evalSteps);
        var (_, floor) = run.EvalCurve.Series("fd_floor");
        Assert.All(fd.Zip(floor), p => Assert.True(p.First > p.Second, $"an untrained model's FD {p.First} must exceed the floor {p.Second}"));
        Assert.Equal(2, Directory.GetFiles(run.SamplesDir, "step-*.png").Length);

        // the final evaluation and the course's figures
        using (var eval = JsonDocument.Parse(File.ReadAllText(run.EvalPath)))
        {
            var m = eval.RootElement.GetProperty("metrics");
            Assert.True(m.GetProperty("fd").GetDouble() > m.GetProperty("fd_floor").GetDouble());
            Assert.True(m.GetProperty("fd_noise").GetDouble() > m.GetProperty("fd_floor").GetDouble());
            Assert.Equal(10, m.GetProperty("function_evaluations").GetDouble());
            Assert.Equal("fmnist-features-v1", eval.RootElement.GetProperty("features").GetString());
        }
        foreach (string figure in new[] { "forward-noising.png", "reverse-process.png", 
                     "ddim-interpolation.png", "loss.png", "fd-over-training.png", "samplers.json" })
            Assert.True(File.Exists(Path.Combine(run.PlotsDir, figure)), $"missing plots/{figure}");
        string report = File.ReadAllText(run.ReportPath);
        Assert.Contains("data:image/png;base64,", report);
        Assert.Contains("Samplers side by side", report);

        // sampling with each sampler writes a folder of PNGs that reads back as images
        foreach (var (sampler, expectedEvaluations) in new[] { ("ddpm", 100), ("ddim", 10), ("dpmpp", 10) })
        {
            string output = Path.Combine(runs, "out-" + sampler);
            string[] steps = sampler == "ddpm" ? [] : ["--steps", "10"]; // ddpm runs all T steps: --steps is refused
            var sample = CliRunner.Run(["sample", run.Root, "--n", "5", "--sampler", sampler, .. steps, "-o", output, "--threads", "2", "--quiet"]);
            Assert.True(sample.ExitCode == 0, sample.Err);
            Assert.Contains($"{expectedEvaluations} network evaluations", sample.Out);
            using var images = PngFolder.Load(output);
            Assert.Equal(new long[] { 5, 1, 28, 28 }, images.Images.shape);
        }
        var again = CliRunner.Run("sample", run.Root, "--n", "5", "-o", Path.Combine(runs, "out-ddpm"), "--quiet");
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("not empty", again.Err);

        // a killed run resumes to the same final step
        File.Delete(run.CheckpointPath(40));
        var resumed = CliRunner.Run("train", "ddpm", "--runs", runs, "--name", "tiny", "--resume", "--threads", "2", "--quiet");
        Assert.True(resumed.ExitCode == 0, resumed.Err);
        Assert.Equal(run.CheckpointPath(40), Checkpoint.FindLatest(run.CheckpointsDir));
        Assert.Equal([20.0, 40.0], run.EvalCurve.Series("fd").Steps);
    }

    [Fact]
    public void ImageOptionsOnToyDataAndBadSamplersAreClearErrors()
    {
        string runs = TestTemp.Directory("gensharp-img").FullName;
        var wrong = CliRunner.Run("train", "ddpm", "--runs", runs, "--data", "toy:mog2", "--ch", "16", "--quiet");
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("--ch applies to image data only", wrong.Err);
        var badMults = CliRunner.Run("train", "ddpm", "--runs", runs, "--data", "fashion-mnist", "--mults", "1,x", "--quiet");
        Assert.Equal(2, badMults.ExitCode);
        Assert.Contains("--mults", badMults.Err);
        var badSampler = CliRunner.Run("train", "ddpm", "--runs", runs, "--data", "fashion-mnist", "--sampler", "euler", "--quiet");
        Assert.Equal(2, badSampler.ExitCode);
        Assert.Contains("--sampler euler", badSampler.Err);
        Assert.Empty(Directory.GetDirectories(runs));
    }
}
