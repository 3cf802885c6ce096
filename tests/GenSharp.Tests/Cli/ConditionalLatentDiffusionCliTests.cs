using System.Text.Json;
using GenSharp.Training;
using GenSharp.Vae;
using static TorchSharp.torch;

namespace GenSharp.Tests.Cli;

/// <summary>
/// A tiny class-conditional latent-diffusion run (docs/latent-diffusion.md#conditioning) end to end: <c>train ldm --condition class</c>
/// keeps Fashion-MNIST's class names in config.json and resumes bit-identically after a kill; <c>sample --class Sandal --guidance 3</c>
/// draws that class only (labels.csv), two network evaluations per step; <c>eval --guidance-sweep</c> writes conditional accuracy, per-class
/// FD, the sweep and its figures beside the autoencoder's reconstruction FD. (<c>compare</c> scores the labels the decoded sampler returns:
/// ConditionalLatentDiffusionTests checks that it returns the latent sampler's, and CompareCliTests the rest on a pixel run.)
/// </summary>
[Trait("Category", "Slow")] // 26 s at load 3.5 on the shared 2-core VM; 35-64 s at load 10-15
[Collection(GlobalRngCollection.Name)]
public sealed class ConditionalLatentDiffusionCliTests
{
    [Fact]
    public void AConditionalLdmTrainsResumesExactlySamplesAClassAndEvaluatesPerClass()
    {
        string runs = TestTemp.Directory("gensharp-ldm-cond").FullName;
        WriteAutoencoderRun(Path.Combine(runs, "vae"));
        ExactResumeCliTests.Train(runs, "ldm", "full", "--autoencoder", Path.Combine(runs, "vae"), "--condition", "class", "--p-uncond", "0.3",
            "--train-limit", "128", "--batch", "8", "--ch", "16", "--attn", "none", "--dropout", "0.2", "--lr-decay", "constant", "--warmup",
            "4", "--steps", "12", "--sample-every", "6", "--eval-every", "0", "--final-eval-n", "0", "--checkpoint-every", "4", "--log-every",
            "3", "--threads", "2", "--quiet");
        string full = Path.Combine(runs, "full");
        using (var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(full, "config.json"))))
        {
            var conditioning = config.RootElement.GetProperty("conditioning");
            Assert.Equal("class", conditioning.GetProperty("kind").GetString());
            Assert.Equal(0.3, conditioning.GetProperty("p_uncond").GetDouble());
            Assert.Equal(["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
                conditioning.GetProperty("class_names").EnumerateArray().Select(n => n.GetString()));
        }
        ExactResumeCliTests.AssertKilledRunResumesExactly(runs, "ldm", killedAfter: 8); // label dropout draws from the checkpointed generator

        string drawn = Path.Combine(runs, "drawn");
        var sample = CliRunner.Run("sample", full, "--class", "Sandal", "--guidance", "3", "--sampler", "ddim", "--steps", "4", "--n", "5",
            "--output", drawn, "--threads", "2");
        Assert.True(sample.ExitCode == 0, sample.Err);
        Assert.Contains("8 network evaluations", sample.Out);                                            // both halves of each guided step
        Assert.Equal(["file,label", .. Enumerable.Range(0, 5).Select(i => $"{i:D6}.png,5")], File.ReadAllLines(Path.Combine(drawn, "labels.csv")));

        var eval = CliRunner.Run("eval", full, "--n", "20", "--guidance-sweep", "0,1", "--sampler", "ddim", "--steps", "3", "--threads", "2",
            "--quiet");
        Assert.True(eval.ExitCode == 0, eval.Err);
        var run = RunDirectory.Open(full);
        using (var json = JsonDocument.Parse(File.ReadAllText(run.EvalPath)))
        {
            var metrics = json.RootElement.GetProperty("metrics");
            Assert.InRange(metrics.GetProperty("conditional_accuracy").GetDouble(), 0, 1);
            Assert.InRange(metrics.GetProperty("classifier_real_accuracy").GetDouble(), 0.8, 1);    // the ceiling, on real held-out images
            Assert.True(metrics.GetProperty("conditional_fd").GetDouble() > 0);
            Assert.True(metrics.GetProperty("autoencoder_reconstruction_fd").GetDouble() > 0);      // the floor stays beside the scores
            Assert.Equal(1, json.RootElement.GetProperty("guidance").GetDouble());
            var conditional = json.RootElement.GetProperty("conditional");
            Assert.Equal(2, conditional.GetProperty("samples_per_class").GetInt32());
            Assert.Equal("ddim-3-eta0", conditional.GetProperty("sampler").GetString());
            Assert.Equal(10, conditional.GetProperty("per_class_fd").EnumerateObject().Count());
            var sweep = json.RootElement.GetProperty("guidance_sweep").EnumerateArray();
            Assert.Equal([0.0, 1], sweep.Select(r => r.GetProperty("guidance").GetDouble()));
        }
        foreach (string plot in new[] { "classes-w0.png", "classes-w1.png", "guidance-trade-off.png", "per-class-fd.png" })
            Assert.True(File.Exists(Path.Combine(run.PlotsDir, plot)), plot);
        string report = File.ReadAllText(Path.Combine(full, "report.html"));
        Assert.Contains("Class-conditional samples and classifier-free guidance", report);
        Assert.Contains("autoencoder reconstruction FD", report);
    }

    /// <summary>
    /// A VAE run with a spatial 4x7x7 latent and one checkpoint of freshly initialised weights: the LDM needs an encoder and a decoder, not
    /// a good one, and training a VAE through the CLI would spend most of this test's time on its final evaluation.
    /// </summary>
    private static void WriteAutoencoderRun(string root)
    {
        var config = new VaeConfig { Network = new VaeNetworkConfig(Width: 8, LatentChannels: 4, FlatDim: 0) }.Validate();
        var run = RunDirectory.Create(root);
        RunConfigFile.Write(run, config);
        manual_seed(4);
        using var vae = new VariationalAutoencoder(config.Network);
        Checkpoint.Save(run.CheckpointPath(1), new TrainingSnapshot(vae, null, null, null) { Step = 1 });
    }
}
