using GenSharp.Training;
using GenSharp.Vae;
using static TorchSharp.torch;

namespace GenSharp.Tests.Cli;

/// <summary>Small GAN and VAE runs on the first images of Fashion-MNIST.</summary>
[Collection("training")]
[Trait("Category", "Slow")]
public sealed class TrainGanVaeTests
{
    private static readonly string[] SmallGan =
        ["--loss", "ns", "--train-limit", "64", "--batch", "16", "--epochs", "2", "--checkpoint-every", "100", "--log-every", "2",
         "--eval-samples", "100", "--epoch-eval-samples", "0", "--threads", "2", "--quiet"];

    [Fact]
    public void AKilledGanRunResumesToBitIdenticalWeightsOfBothNetworksAndOptimisers()
    {
        string runs = TestTemp.Directory("gensharp-gan-runs").FullName;
        var full = CliRunner.Run(["train", "gan", "--runs", runs, "--name", "full", .. SmallGan]);
        Assert.True(full.ExitCode == 0, full.Err);
        var killed = CliRunner.Run(["train", "gan", "--runs", runs, "--name", "killed", .. SmallGan]);
        Assert.True(killed.ExitCode == 0, killed.Err);

        var run = RunDirectory.Open(Path.Combine(runs, "killed"));
        Assert.True(File.Exists(run.CheckpointPath(4)) && File.Exists(run.CheckpointPath(8)), "one checkpoint per epoch of 4 generator steps");
        Assert.True(File.Exists(Path.Combine(run.SamplesDir, "epoch-001.png")) && File.Exists(Path.Combine(run.SamplesDir, "epoch-002.png")));
        File.Delete(run.CheckpointPath(8));
        File.Delete(run.EvalPath);
        var resumed = CliRunner.Run("train", "gan", "--runs", runs, "--name", "killed", "--resume", "--threads", "2", "--quiet");
        Assert.True(resumed.ExitCode == 0, resumed.Err);
        Assert.Equal([2.0, 4, 6, 8], run.Metrics.Series("d_loss").Steps);
        Assert.True(File.Exists(run.ReportPath) && File.Exists(run.EvalPath));
        AssertScoredBesideFloorAndCeiling(run);

        using var a = Safetensors.Load(Path.Combine(runs, "full", "checkpoints", "step-00000008.safetensors"));
        using var b = Safetensors.Load(run.CheckpointPath(8));
        Assert.Contains(a.Tensors.Keys, k => k.StartsWith("optim.discriminator.", StringComparison.Ordinal));
        Assert.Contains(a.Tensors.Keys, k => k.StartsWith("model.discriminator.", StringComparison.Ordinal));
        foreach (var (name, t) in a.Tensors)
            Assert.True(t.bytes.SequenceEqual(b.Tensors[name].bytes), $"{name} differs after resume");
    }

    [Fact]
    public void AVaeWithASpatialLatentTrainsReportsItsTestElboAndIsReusableAsAnAutoencoder()
    {
        string runs = TestTemp.Directory("gensharp-vae-runs").FullName;
        var r = CliRunner.Run("train", "vae", "--runs", runs, "--name", "v", "--train-limit", "256", "--test-limit", "500",
            "--batch", "32", "--epochs", "1",
            "--latent-dim", "0", "--latent-channels", "4", "--eval-samples", "100", "--epoch-eval-samples", "0", "--threads", "2", "--quiet");
        Assert.True(r.ExitCode == 0, r.Err);
        var run = RunDirectory.Open(Path.Combine(runs, "v"));
        AssertScoredBesideFloorAndCeiling(run);
        using (var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(run.EvalPath)))
            Assert.True(doc.RootElement.GetProperty("metrics").GetProperty("test_elbo_nats").GetDouble() < 0,
                "the test ELBO is a log-likelihood bound");
        var terms = run.Metrics.Series("elbo_nats").Values;
        Assert.NotEmpty(terms);
        Assert.All(run.Metrics.Series("kl_nats").Values, kl => Assert.True(kl >= 0));
        foreach (var f in new[] { VaeFigures.SamplesPng, VaeFigures.ReconstructionsPng, VaeFigures.InterpolationPng })
            Assert.True(File.Exists(Path.Combine(run.PlotsDir, f)), f);

        using var vae = VaeRecipe.Load(run, CPU);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = rand(3, 1, 28, 28) * 2 - 1;
        var (mu, logVar) = vae.Encoder.call(x);
        Assert.Equal([3L, 4, 7, 7], mu.shape);
        Assert.Equal(mu.shape, logVar.shape);
        var image = vae.Decoder.DecodeImage(mu);
        Assert.Equal([3L, 1, 28, 28], image.shape);
        Assert.True(image.min().item<float>() >= -1 && image.max().item<float>() <= 1);
    }

    /// <summary>
    /// The VAE's final evaluation keeps the predicted-class histogram (eval.json and a bar plot, as the GAN's), and its
    /// per-epoch curve holds FD beside the floor at the same n with the feature network's version, plotted in the report;
    /// <c>eval RUN_DIR</c> names the feature network.
    /// </summary>
    [Fact]
    public void AVaeRecordsItsClassHistogramAndFdPerEpochBesideTheFloor()
    {
        string runs = TestTemp.Directory("gensharp-vae-fd").FullName;
        var r = CliRunner.Run("train", "vae", "--runs", runs, "--name", "v", "--train-limit", "256", "--test-limit", "200",
            "--batch", "64", "--epochs", "2",
            "--width", "8", "--eval-samples", "100", "--epoch-eval-samples", "150", "--threads", "1", "--quiet");
        Assert.True(r.ExitCode == 0, r.Err);
        var run = RunDirectory.Open(Path.Combine(runs, "v"));
        AssertClassHistogram(run);
        Assert.True(File.Exists(Path.Combine(run.PlotsDir, VaeFigures.ClassHistogramPng)));

        var curve = AssertEpochCurveWithFloor(run, expectedN: 150, epochs: 2);
        Assert.All(curve, c => Assert.True(c.TryGetProperty("test_elbo_nats", out _), "one record per epoch with the ELBO and the image metrics"));
        Assert.True(File.Exists(Path.Combine(run.SamplesDir, "classes-epoch-002.png")));
        string html = File.ReadAllText(run.ReportPath);
        Assert.Contains("FD per epoch, beside the floor at the same n", html);
        Assert.Contains("predicted classes of the samples", html);
        Assert.True(File.Exists(Path.Combine(run.PlotsDir, "fd-per-epoch.png")));

        var eval = CliRunner.Run("eval", run.Root, "--n", "100", "--threads", "1", "--quiet");
        Assert.True(eval.ExitCode == 0, eval.Err);
        Assert.Contains("features: fmnist-features-v1", eval.Out);
        AssertClassHistogram(run); // the refreshed eval.json
    }

    /// <summary>The GAN's per-epoch records name the feature network and carry the FD floor at their n, and the report plots it.</summary>
    [Fact]
    public void GanEpochCurveNamesTheFeaturesAndCarriesTheFloor()
    {
        string runs = TestTemp.Directory("gensharp-gan-fd").FullName;
        var r = CliRunner.Run(
            ["train", "gan", "--runs", runs, "--name", "g", .. With(With(SmallGan, "--epoch-eval-samples", "150"), "--threads", "1")]);
        Assert.True(r.ExitCode == 0, r.Err);
        var run = RunDirectory.Open(Path.Combine(runs, "g"));
        AssertEpochCurveWithFloor(run, expectedN: 150, epochs: 2);
        AssertClassHistogram(run);
        Assert.Contains("FD per epoch, beside the floor at the same n", File.ReadAllText(run.ReportPath));
        Assert.Contains("features: fmnist-features-v1", r.Out);
    }

    /// <summary>A copy of <paramref name="args"/> with the value after <paramref name="option"/> replaced.</summary>
    private static string[] With(string[] args, string option, string value)
    {
        var copy = args.ToArray();
        copy[Array.IndexOf(copy, option) + 1] = value;
        return copy;
    }

    /// <summary>eval.json holds the predicted-class histogram (10 fractions summing to 1) and its largest entry as a metric.</summary>
    private static void AssertClassHistogram(RunDirectory run)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(run.EvalPath));
        var histogram = doc.RootElement.GetProperty("class_histogram").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(10, histogram.Length);
        Assert.Equal(1.0, histogram.Sum(), 6);
        Assert.Equal(histogram.Max(), doc.RootElement.GetProperty("metrics").GetProperty("largest_class_fraction").GetDouble(), 12);
        Assert.Equal("fmnist-features-v1", doc.RootElement.GetProperty("features").GetString());
    }

    /// <summary>One eval_curve record per epoch with FD, its floor (the same at every epoch: n training images vs the same test images), n and the
    /// features' version.</summary>
    private static List<System.Text.Json.JsonElement> AssertEpochCurveWithFloor(RunDirectory run, int expectedN, int epochs)
    {
        var curve = run.EvalCurve.ReadAll().Where(e => e.TryGetProperty("fd", out _)).ToList();
        Assert.Equal(Enumerable.Range(1, epochs).Select(e => (double)e), curve.Select(c => c.GetProperty("epoch").GetDouble()));
        double floor = curve[0].GetProperty("fd_floor").GetDouble();
        Assert.True(floor > 0 && double.IsFinite(floor), $"fd_floor {floor}");
        foreach (var c in curve)
        {
            Assert.Equal("fmnist-features-v1", c.GetProperty("features").GetString());
            Assert.Equal(expectedN, c.GetProperty("n").GetInt32());
            Assert.Equal(floor, c.GetProperty("fd_floor").GetDouble());
            Assert.True(c.GetProperty("fd").GetDouble() > floor, "untrained samples score above the real-vs-real floor");
            Assert.True(c.TryGetProperty("kid_std", out _));
            Assert.Equal(10, c.GetProperty("class_histogram").GetArrayLength());
        }
        return curve;
    }

    [Theory]
    [InlineData("train", "gan", "--loss", "lsgan")]
    [InlineData("train", "gan", "--instance-noise", "-1")]
    [InlineData("train", "vae", "--likelihood", "poisson")]
    [InlineData("lab", "dirac-gan", "--h", "0")]
    [InlineData("lab", "divergences", "--theta", "0")]
    public void BadSettingsAreOneLineErrorsWithExitCodeTwoAndNoRunDirectory(params string[] args)
    {
        string runs = TestTemp.Directory("gensharp-bad").FullName;
        var r = CliRunner.Run([.. args, .. args[0] == "train" ? new[] { "--runs", runs, "--quiet" } : new[] { "--out", Path.Combine(runs, "lab") }]);
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("error: ", r.Err);
        Assert.Single(r.Err.Trim().Split('\n'));
        Assert.Empty(Directory.GetDirectories(runs));
    }

    /// <summary>eval.json carries the model's FD with the real-vs-real floor and the noise ceiling at the same n, and the report shows them side by
    /// side.</summary>
    private static void AssertScoredBesideFloorAndCeiling(RunDirectory run)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(run.EvalPath));
        var m = doc.RootElement.GetProperty("metrics");
        double fd = m.GetProperty("fd").GetDouble(), floor = m.GetProperty("fd_floor").GetDouble(), noise = m.GetProperty("fd_noise").GetDouble();
        Assert.True(floor >= 0 && floor < noise && fd > floor, $"fd {fd}, floor {floor}, noise {noise}");
        Assert.True(m.GetProperty("recall_noise").GetDouble() < m.GetProperty("recall_floor").GetDouble());
    }
}
