using GenSharp.Training;
using static TorchSharp.torch;

namespace GenSharp.Tests.Cli;

/// <summary>Several tests here train small runs; they share the process-wide thread setting.</summary>
[Trait("Category", "Slow")]
[Collection(GlobalRngCollection.Name)]
public sealed class TrainResumeTests
{
    private static readonly string[] Small =
        ["--data", "toy:8gaussians", "--steps", "200", "--batch", "64", "--hidden", "32", "--layers", "2", "--timesteps", "100",
         "--checkpoint-every", "100", "--sample-every", "100", "--log-every", "20", "--threads", "2", "--quiet"];

    [Fact]
    public void AKilledRunResumesFromItsLastCheckpointToTheSameFinalWeights()
    {
        string runs = TestTemp.Directory("gensharp-runs").FullName;
        var full = CliRunner.Run(["train", "ddpm", "--runs", runs, "--name", "full", .. Small]);
        Assert.True(full.ExitCode == 0, full.Err);
        var killed = CliRunner.Run(["train", "ddpm", "--runs", runs, "--name", "killed", .. Small]);
        Assert.True(killed.ExitCode == 0, killed.Err);

        // Simulate a kill between step 100 and 200: only the step-100 checkpoint survived, and the
        // metrics log holds lines up to step 160 plus a torn one.
        var run = RunDirectory.Open(Path.Combine(runs, "killed"));
        File.Delete(run.CheckpointPath(200));
        File.Delete(run.EvalPath);
        var lines = File.ReadAllLines(run.MetricsPath).Where(l => !l.Contains("\"step\":180") && !l.Contains("\"step\":200")).ToList();
        File.WriteAllText(run.MetricsPath, string.Join("\n", lines) + "\n{\"step\":170,\"lo");

        var resumed = CliRunner.Run("train", "ddpm", "--runs", runs, "--name", "killed", "--resume", "--threads", "2", "--quiet");
        Assert.True(resumed.ExitCode == 0, resumed.Err);

        // same step count, metrics continue (one record per logged step, strictly increasing, no torn line)
        var steps = run.Metrics.Series("loss").Steps;
        Assert.Equal(Enumerable.Range(1, 10).Select(i => 20.0 * i), steps);
        Assert.Equal(Checkpoint.FindLatest(run.CheckpointsDir), run.CheckpointPath(200));
        Assert.True(File.Exists(run.EvalPath));
        Assert.True(File.Exists(run.ReportPath));

        // and the weights are bit-identical to the run that was never interrupted
        using var a = Safetensors.Load(Path.Combine(runs, "full", "checkpoints", "step-00000200.safetensors"));
        using var b = Safetensors.Load(run.CheckpointPath(200));
        foreach (var (name, t) in a.Tensors)
            Assert.True(t.bytes.SequenceEqual(b.Tensors[name].bytes), $"{name} differs after resume");
    }

    [Fact]
    public void AConstantRateRunExtendedWithResumeStepsEqualsOneTrainedToThatStepFromTheStart()
    {
        string runs = TestTemp.Directory("gensharp-runs").FullName;
        string[] common = ["--data", "toy:moons", "--batch", "32", "--hidden", "16", "--layers", "2", "--timesteps", "50", "--warmup", "10",
                           "--lr-decay", "constant", "--checkpoint-every", "20", "--sample-every", "40", "--log-every", "10",
                           "--threads", "2", "--quiet"];
        var full = CliRunner.Run(["train", "ddpm", "--runs", runs, "--name", "full", "--steps", "40", .. common]);
        Assert.True(full.ExitCode == 0, full.Err);
        var shortRun = CliRunner.Run(["train", "ddpm", "--runs", runs, "--name", "short", "--steps", "20", .. common]);
        Assert.True(shortRun.ExitCode == 0, shortRun.Err);

        var lower = CliRunner.Run("train", "ddpm", "--runs", runs, "--name", "short", "--resume", "--steps", "10", "--quiet");
        Assert.Equal(2, lower.ExitCode);
        Assert.Contains("only be extended", lower.Err);

        var extended = CliRunner.Run("train", "ddpm", "--runs", runs, "--name", "short", "--resume", "--steps", "40", "--threads", "2", "--quiet");
        Assert.True(extended.ExitCode == 0, extended.Err);
        var run = RunDirectory.Open(Path.Combine(runs, "short"));
        Assert.Contains("\"steps\": 40", File.ReadAllText(run.ConfigPath));
        Assert.Equal(Enumerable.Range(1, 4).Select(i => 10.0 * i), run.Metrics.Series("loss").Steps);
        using var a = Safetensors.Load(Path.Combine(runs, "full", "checkpoints", "step-00000040.safetensors"));
        using var b = Safetensors.Load(run.CheckpointPath(40));
        foreach (var (name, t) in a.Tensors)
            Assert.True(t.bytes.SequenceEqual(b.Tensors[name].bytes), $"{name} differs after extension");
    }

    [Fact]
    public void ADecayingRunCannotBeExtendedAndItsConfigIsUntouched()
    {
        string runs = TestTemp.Directory("gensharp-runs").FullName;
        var first = CliRunner.Run("train", "ddpm", "--runs", runs, "--name", "c", "--data", "toy:moons", "--steps", "20",
            "--batch", "32", "--hidden", "16",
            "--timesteps", "50", "--lr-decay", "cosine", "--checkpoint-every", "10", "--sample-every", "20", "--threads", "2", "--quiet");
        Assert.True(first.ExitCode == 0, first.Err);
        string config = File.ReadAllText(Path.Combine(runs, "c", "config.json"));
        var again = CliRunner.Run("train", "ddpm", "--runs", runs, "--name", "c", "--resume", "--steps", "40", "--quiet");
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("lr_decay 'cosine'", again.Err);
        Assert.Equal(config, File.ReadAllText(Path.Combine(runs, "c", "config.json")));
    }

    [Fact]
    public void StartingOverAnExistingRunIsRefusedAndNothingIsLost()
    {
        string runs = TestTemp.Directory("gensharp-runs").FullName;
        var first = CliRunner.Run("train", "ddpm", "--runs", runs, "--name", "r", "--data", "toy:moons", "--steps", "20",
            "--batch", "32", "--hidden", "16",
            "--timesteps", "50", "--checkpoint-every", "10", "--sample-every", "20", "--threads", "2", "--quiet", "--tensorboard");
        Assert.True(first.ExitCode == 0, first.Err);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(runs, "r", "tensorboard"), "events.out.tfevents*", SearchOption.AllDirectories));
        string config = File.ReadAllText(Path.Combine(runs, "r", "config.json"));
        var again = CliRunner.Run(["train", "ddpm", "--runs", runs, "--name", "r", "--steps", "50", "--quiet"]);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("--resume", again.Err);
        Assert.Equal(config, File.ReadAllText(Path.Combine(runs, "r", "config.json")));
    }
}
