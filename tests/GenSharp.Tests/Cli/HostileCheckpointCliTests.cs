using System.Text.Json.Nodes;
using GenSharp.Tests.Training;
using GenSharp.Training;
using static TorchSharp.torch;

namespace GenSharp.Tests.Cli;

/// <summary>
/// A tiny toy run whose latest checkpoint is then made hostile: <c>sample</c> and <c>train --resume</c> must
/// print one line naming the file and exit 2 (no unhandled exception, no abort of the process).
/// </summary>
[Collection("training")]
[Trait("Category", "Slow")]
public sealed class HostileCheckpointCliTests
{
    private static readonly string[] Tiny =
        ["--data", "toy:moons", "--steps", "20", "--batch", "32", "--hidden", "16", "--layers", "2", "--timesteps", "50",
         "--checkpoint-every", "10", "--sample-every", "20", "--log-every", "10", "--threads", "1", "--quiet"];

    private static RunDirectory TinyRun()
    {
        string runs = TestTemp.Directory("gensharp-hostile").FullName;
        var train = CliRunner.Run(["train", "ddpm", "--runs", runs, "--name", "tiny", .. Tiny]);
        Assert.True(train.ExitCode == 0, train.Err);
        return RunDirectory.Open(Path.Combine(runs, "tiny"));
    }

    private static void AssertRefused((int ExitCode, string Out, string Err) r, string checkpoint, string expected)
    {
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith($"error: {checkpoint}: ", r.Err);
        Assert.Contains(expected, r.Err);
        Assert.Single(r.Err.TrimEnd().Split('\n'));
    }

    [Fact]
    public void SampleAndResumeRefuseAHostileCheckpointWithOneLineAndExitCode2()
    {
        var run = TinyRun();
        string latest = run.CheckpointPath(20);
        byte[] good = File.ReadAllBytes(latest);
        string[] resume = ["train", "ddpm", "--runs", Path.GetDirectoryName(run.Root)!, "--name", "tiny", "--resume", "--threads", "1", "--quiet"];
        string[] sample = ["sample", run.Root, "--n", "10", "--threads", "1", "--quiet"];

        // a string where the reader expects integer byte offsets
        CheckpointFiles.RewriteHeader(latest, h => h[h.Select(kv => kv.Key).First(k => k.StartsWith("ema.",
            StringComparison.Ordinal))]!["data_offsets"] = new JsonArray("0", "512"));
        AssertRefused(CliRunner.Run(sample), latest, "invalid data_offsets");
        AssertRefused(CliRunner.Run(resume), latest, "invalid data_offsets");

        // step: not a number, negative, past the run's 20 steps
        foreach (var (step, expected) in new[]
                 { ("abc", "'step' is 'abc', not an integer"), ("-5", "must be >= 0"), ("21", "past the run's 20 steps") })
        {
            File.WriteAllBytes(latest, good);
            CheckpointFiles.Rewrite(latest, (_, m) => m["step"] = step);
            AssertRefused(CliRunner.Run(resume), latest, expected);
        }

        // a generator state of the wrong dtype: libtorch would abort the process
        File.WriteAllBytes(latest, good);
        CheckpointFiles.Rewrite(latest, (t, _) => t["rng"] = t["rng"].to_type(ScalarType.Float32));
        AssertRefused(CliRunner.Run(resume), latest, "'rng' is Float32");

        // optimizer metadata that is not JSON
        File.WriteAllBytes(latest, good);
        CheckpointFiles.Rewrite(latest, (_, m) => m["optimizer.param_groups"] = "not json");
        AssertRefused(CliRunner.Run(resume), latest, "'optimizer.param_groups' is not a JSON list");

        // the metrics were not touched by the refused resumes, and the intact checkpoint still resumes
        File.WriteAllBytes(latest, good);
        Assert.Equal([10.0, 20.0], run.Metrics.Series("loss").Steps);
        var ok = CliRunner.Run(resume);
        Assert.True(ok.ExitCode == 0, ok.Err);
    }

    [Fact]
    public void SamplingIntoAPathUnderAFileIsOneLineWithExitCode2()
    {
        var run = TinyRun();
        var (rc, _, err) = CliRunner.Run("sample", run.Root, "--n", "10", "-o", "/dev/null/x.csv", "--threads", "1", "--quiet");
        Assert.Equal(2, rc);
        Assert.StartsWith("error: ", err);
        Assert.Contains("/dev/null", err);
        Assert.Single(err.TrimEnd().Split('\n'));
    }
}
