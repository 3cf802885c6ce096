using System.Text.Json;
using System.Text.Json.Nodes;
using GenSharp.Diffusion.Toy;
using GenSharp.Tests.Cli;
using GenSharp.Training;

namespace GenSharp.Tests.Diffusion.Toy;

/// <summary>The 2D DDPM's metric-over-training curve options and self-contained runs on user-defined mixtures.</summary>
[Collection("training")]
[Trait("Category", "Slow")]
public sealed class ToyDdpmRunTests
{
    private static readonly string[] Tiny =
        ["--steps", "100", "--batch", "32", "--hidden", "16", "--layers", "2", "--timesteps", "50", "--warmup", "10",
         "--checkpoint-every", "100", "--log-every", "20", "--threads", "1", "--quiet"];

    /// <summary>--eval-every and --eval-n set the curve's interval and sample count on toy data, independently of --sample-every.</summary>
    [Fact]
    public void EvalEveryAndEvalNSetTheToyCurve()
    {
        string runs = TestTemp.Directory("gensharp-toycurve").FullName;
        var r = CliRunner.Run(["train", "ddpm", "--runs", runs, "--name", "c", "--data", "toy:moons", 
            "--sample-every", "100", "--eval-every", "25", "--eval-n", "300", .. Tiny]);
        Assert.True(r.ExitCode == 0, r.Err);
        var run = RunDirectory.Open(Path.Combine(runs, "c"));
        Assert.Equal([25.0, 50, 75, 100], run.EvalCurve.Series("sliced_w2").Steps);
        Assert.All(run.EvalCurve.Series("n").Values, n => Assert.Equal(300, n));
        Assert.Single(Directory.GetFiles(run.SamplesDir, "step-*.png"));
        var config = RunConfigFile.Read<ToyDdpmConfig>(run);
        Assert.Equal(25, config.Training.EvalEvery);
        Assert.Equal(300, config.Training.EvalSamples);
        Assert.Contains("every 25 steps, 300 EMA samples", File.ReadAllText(run.ReportPath));

        // without the options: the curve follows --sample-every with 2,000 samples (the behaviour before the options existed)
        r = CliRunner.Run(["train", "ddpm", "--runs", runs, "--name", "d", "--data", "toy:moons", "--sample-every", "50", .. Tiny]);
        Assert.True(r.ExitCode == 0, r.Err);
        var defaults = RunDirectory.Open(Path.Combine(runs, "d"));
        Assert.Equal([50.0, 100], defaults.EvalCurve.Series("sliced_w2").Steps);
        Assert.All(defaults.EvalCurve.Series("n").Values, n => Assert.Equal(2000, n));

        // 0 = never
        r = CliRunner.Run(["train", "ddpm", "--runs", runs, "--name", "e", "--data", "toy:moons", "--eval-every", "0", .. Tiny]);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Empty(RunDirectory.Open(Path.Combine(runs, "e")).EvalCurve.Series("sliced_w2").Steps);

        var bad = CliRunner.Run(["train", "ddpm", "--runs", runs, "--name", "f", "--data", "toy:moons", "--eval-n", "10", .. Tiny]);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--eval-n 10", bad.Err);
    }

    /// <summary>
    /// The per-component evaluation of a component-conditional run follows --guidance-rescale: at w = 1 the guided prediction is the
    /// conditional one and rescaling changes nothing; at w = 6 it changes the samples (the option reaches the sampler).
    /// </summary>
    [Fact]
    public void GuidanceRescaleReachesTheToysPerComponentEvaluation()
    {
        string runs = TestTemp.Directory("gensharp-toyrescale").FullName;
        var r = CliRunner.Run(["train", "ddpm", "--runs", runs, "--name", "c", "--data", "toy:mog2", "--condition", "component", .. Tiny]);
        Assert.True(r.ExitCode == 0, r.Err);
        string run = Path.Combine(runs, "c");
        JsonNode Sweep(params string[] extra)
        {
            var e = CliRunner.Run(["eval", run, "--n", "200", "--guidance-sweep", "1,6", "--threads", "1", "--quiet", .. extra]);
            Assert.True(e.ExitCode == 0, e.Err);
            return JsonNode.Parse(File.ReadAllText(Path.Combine(run, "eval.json")))!;
        }
        var plain = Sweep();
        var rescaled = Sweep("--guidance-rescale", "0.7");
        Assert.Equal(0.0, plain["guidance_rescale"]!.GetValue<double>());
        Assert.Equal(0.7, rescaled["guidance_rescale"]!.GetValue<double>());
        double Ll(JsonNode json, int row) => json["guidance_sweep"]![row]!["per_component"]![0]!["mean_log_likelihood"]!.GetValue<double>();
        Assert.Equal(Ll(plain, 0), Ll(rescaled, 0), 1e-9);   // w = 1
        Assert.NotEqual(Ll(plain, 1), Ll(rescaled, 1), 1e-6); // w = 6

        // samples drawn with another sampler or weight are written beside the first ones, never over them
        foreach (string[] choice in new[] { new[] { "--sampler", "ddim", "--steps", "10" }, ["--guidance", "3"], [] })
        {
            var s = CliRunner.Run(["sample", run, "--n", "20", "--seed", "1", "--threads", "1", "--quiet", .. choice]);
            Assert.True(s.ExitCode == 0, s.Err);
        }
        Assert.Equal(3, Directory.GetFiles(RunDirectory.Open(run).SamplesDir, "*-n20-seed1.csv").Length);
    }

    [Fact]
    public void ConfigurationsWrittenBeforeEvalEveryKeepTheCurveAtSampleEvery()
    {
        var flat = (JsonObject)JsonNode.Parse("{\"model\": \"ddpm-toy2d\", \"sample_every\": 300, \"eval_samples\": 4000}")!;
        var old = RunConfigMigration.ToCurrent(flat).Deserialize<ToyDdpmConfig>(JsonDefaults.Options)!;
        Assert.Equal(300, old.Training.SampleEvery);
        Assert.Equal(300, old.Training.EvalEvery);
        Assert.Equal(2000, old.Training.EvalSamples);      // the curve's sample count before --eval-n existed
        Assert.Equal(4000, old.Training.FinalEvalSamples); // the final evaluation's, then called eval_samples
    }

    /// <summary>A run on a user-defined mixture holds a copy of it, so eval and sample work after the original is gone and from any
    /// folder.</summary>
    [Fact]
    public void AMixtureRunIsSelfContained()
    {
        string dir = TestTemp.Directory("gensharp-mixrun").FullName;
        string mixture = Path.Combine(dir, "mine.json");
        File.WriteAllText(mixture, """
            {"name": "mine", "components": [
              {"weight": 0.3, "mean": [-2, 0], "cov": [[0.3, 0], [0, 0.3]]},
              {"weight": 0.7, "mean": [2, 1], "cov": [[0.5, 0.1], [0.1, 0.4]]}]}
            """);
        string runs = Path.Combine(dir, "runs");
        var r = CliRunner.Run(["train", "ddpm", "--runs", runs, "--name", "m", "--data", "toy:" + mixture, 
            "--steps", "40", "--sample-every", "40", .. Tiny.Skip(2)]);
        Assert.True(r.ExitCode == 0, r.Err);
        var run = RunDirectory.Open(Path.Combine(runs, "m"));
        var config = RunConfigFile.Read<ToyDdpmConfig>(run);
        Assert.Equal("toy:" + mixture, config.Training.Data);
        Assert.Equal(ToyDdpmRecipe.MixtureFileName, config.MixtureFile);
        Assert.Equal(File.ReadAllText(mixture), File.ReadAllText(Path.Combine(run.Root, ToyDdpmRecipe.MixtureFileName)));

        File.Delete(mixture);
        var eval = CliRunner.Run("eval", run.Root, "--n", "200", "--threads", "1", "--quiet");
        Assert.True(eval.ExitCode == 0, eval.Err);
        using var json = JsonDocument.Parse(File.ReadAllText(run.EvalPath));
        double weightError = json.RootElement.GetProperty("metrics").GetProperty("weight_error_max").GetDouble();
        Assert.True(weightError is >= 0 and <= 1, $"weights of the copied two-component mixture: error {weightError}");
        var sample = CliRunner.Run("sample", run.Root, "--n", "100", "--threads", "1", "--quiet");
        Assert.True(sample.ExitCode == 0, sample.Err);
    }
}
