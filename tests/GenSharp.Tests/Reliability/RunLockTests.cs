using GenSharp.Tests.Cli;
using GenSharp.Training;

namespace GenSharp.Tests.Reliability;

/// <summary>Items 3 and 4: one writer per run, and a refused train leaves no folder behind.</summary>
[Collection("training")]
public sealed class RunLockTests
{
    private static readonly string[] Tiny =
        ["--data", "toy:moons", "--steps", "10", "--batch", "32", "--hidden", "16", "--layers", "2", "--timesteps", "20",
         "--checkpoint-every", "10", "--sample-every", "10", "--eval-n", "100", "--log-every", "5", "--lr-decay", "constant",
         "--threads", "1", "--quiet"];

    [Fact]
    [Trait("Category", "Slow")] // trains a tiny run twice
    public void ASecondWriterOfARunExits2NamingTheHoldersPid()
    {
        string runs = SpecialFiles.TempDir();
        var first = CliRunner.Run(["train", "ddpm", "--runs", runs, "--name", "r", .. Tiny]);
        Assert.True(first.ExitCode == 0, first.Err);
        string metrics = File.ReadAllText(Path.Combine(runs, "r", "metrics.jsonl"));
        using (var holder = RunSession.Begin())
        {
            RunDirectory.OpenForTraining(Path.Combine(runs, "r"));
            var (rc, _, err) = CliRunner.Run(["train", "ddpm", "--runs", runs, "--name", "r", "--resume", "--steps", "20", "--quiet"]);
            Assert.Equal(2, rc);
            Assert.Contains($"being written by another gensharp process (PID {Environment.ProcessId})", err);
            holder.Failed = false;
        }
        Assert.Equal(metrics, File.ReadAllText(Path.Combine(runs, "r", "metrics.jsonl")));
        var again = CliRunner.Run(["train", "ddpm", "--runs", runs, "--name", "r", "--resume", "--steps", "20", "--quiet", "--threads", "1"]);
        Assert.True(again.ExitCode == 0, again.Err); // released when the holder's command ended
    }

    [Theory]
    [InlineData("--hidden", "0")]
    [InlineData("--layers", "-1")]
    [InlineData("--batch", "0")]
    [InlineData("--timesteps", "0")]
    public void ARefusedOptionLeavesNoFolderAndTheRetryWorks(string option, string value)
    {
        string runs = SpecialFiles.TempDir();
        var (rc, _, err) = CliRunner.Run(
            "train", "ddpm", "--data", "toy:moons", "--steps", "10", "--runs", runs, "--name", "n", "--quiet", option, value);
        Assert.Equal(2, rc);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.Empty(Directory.EnumerateFileSystemEntries(runs));
    }

    [Fact]
    public void ABatchLargerThanAPngDatasetLeavesNoFolder()
    {
        string runs = SpecialFiles.TempDir();
        string data = Path.Combine(SpecialFiles.TempDir(), "two");
        using (var images = TorchSharp.torch.zeros(2, 1, 8, 8)) GenSharp.Data.PngFolder.Write(images, data);
        var (rc, _, err) = CliRunner.Run("train", "ddpm", "--data", "png:" + data, "--runs", runs, "--name", "p", "--batch", "64",
            "--steps", "1", "--ch", "8", "--quiet", "--threads", "1");
        Assert.Equal(2, rc);
        Assert.StartsWith("error: ", err);
        Assert.Empty(Directory.EnumerateFileSystemEntries(runs));
    }
}
