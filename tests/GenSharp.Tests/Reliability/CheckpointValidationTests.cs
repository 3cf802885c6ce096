using GenSharp.Tests.Cli;
using GenSharp.Tests.Training;
using GenSharp.Training;
using static TorchSharp.torch;

namespace GenSharp.Tests.Reliability;

/// <summary>Items 4, 6 and 8: non-finite weights, out-of-range optimiser state and FIFO checkpoints are refused; partial ones never
/// picked.</summary>
[Collection("training")]
public sealed class CheckpointValidationTests
{
    private static SafetensorsContent Content(Tensor t, string? groups = null) =>
        new(new Dictionary<string, Tensor> { ["ema.w"] = t },
            groups is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["optimizer.param_groups"] = groups });

    [Theory]
    [InlineData(float.NaN, "1 NaN")]
    [InlineData(float.PositiveInfinity, "1 infinite")]
    public void NonFiniteWeightsAreRefusedNamingTheTensor(float bad, string expected)
    {
        using var content = Content(tensor(new[] { 1f, bad, 3f }));
        var e = Assert.Throws<CheckpointException>(() => CheckpointValidation.Check("c.safetensors", content));
        Assert.Contains("tensor 'ema.w'", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("[{\"beta1\": 1.0, \"beta2\": 0.999}]", "beta1")]
    [InlineData("[{\"beta1\": 0.9, \"beta2\": -0.1}]", "beta2")]
    [InlineData("[{\"LearningRate\": -1}]", "LearningRate")]
    [InlineData("[{\"eps\": 0}]", "eps")]
    public void OptimizerStateOutOfRangeIsRefused(string groups, string field)
    {
        using var content = Content(tensor(new[] { 1f }), groups);
        var e = Assert.Throws<CheckpointException>(() => CheckpointValidation.Check("c.safetensors", content));
        Assert.Contains($".{field} = ", e.Message);
        using var fine = Content(tensor(new[] { 1f }), "[{\"beta1\": 0.9, \"beta2\": 0.999, \"eps\": 1e-8, \"LearningRate\": 0.001}]");
        CheckpointValidation.Check("c.safetensors", fine);
    }

    [Fact]
    [Trait("Category", "Slow")] // trains a tiny run
    public void SampleEvalAndResumeRefuseANaNCheckpointAndSkipPartialOnes()
    {
        string runs = SpecialFiles.TempDir();
        string[] tiny = ["--data", "toy:moons", "--steps", "10", "--batch", "32", "--hidden", "16", "--layers", "2", "--timesteps", "20",
            "--checkpoint-every", "10", "--sample-every", "10", "--eval-n", "100", "--log-every", "5", "--lr-decay", "constant",
         "--threads", "1", "--quiet"];
        var train = CliRunner.Run(["train", "ddpm", "--runs", runs, "--name", "r", .. tiny]);
        Assert.True(train.ExitCode == 0, train.Err);
        var run = RunDirectory.Open(Path.Combine(runs, "r"));
        string latest = run.CheckpointPath(10);
        File.WriteAllBytes(Path.Combine(run.CheckpointsDir, ".step-00000020.safetensors.tmp-1-abc"), [1, 2, 3]); // a killed writer's temp file
        Assert.Equal(latest, Checkpoint.FindLatest(run.CheckpointsDir));

        CheckpointFiles.Rewrite(latest, (t, _) => t["ema.input.weight"] = full_like(t["ema.input.weight"], float.NaN));
        foreach (var args in new[] { new[] { "sample", run.Root, "--n", "10" }, ["eval", run.Root, "--n", "100"] })
        {
            var (rc, _, err) = CliRunner.Run(args);
            Assert.Equal(2, rc);
            Assert.Contains("tensor 'ema.input.weight'", err);
            Assert.Single(err.TrimEnd().Split('\n'));
        }
        var resume = CliRunner.Run("train", "ddpm", "--runs", runs, "--name", "r", "--resume", "--steps", "20", "--quiet");
        Assert.Equal(2, resume.ExitCode);
        Assert.Contains("non-finite", resume.Err);

        File.Delete(latest); // a checkpoint that is a FIFO: refused at once, never opened (opening would wait for a writer)
        SpecialFiles.Fifo(latest);
        foreach (var args in new[] { new[] { "sample", run.Root, "--n", "10" }, ["train", "ddpm", "--runs", runs, "--name", "r", "--resume"] })
        {
            var (rc, _, err) = CliRunner.Run(args);
            Assert.Equal(2, rc);
            Assert.Contains("is a FIFO (named pipe)", err);
        }
    }
}
