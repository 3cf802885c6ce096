using System.Text.Json;
using GenSharp.Data;
using GenSharp.Evaluation;
using GenSharp.Tests.Cli;
using GenSharp.Training;
using static TorchSharp.torch;

namespace GenSharp.Tests.Pipelines;

/// <summary>
/// The floor comes from the run's own data: a <c>png:DIR</c> run declares a held-out split in config.json, is scored against it, and
/// its floor compares as many of its other images with it; a folder too small for a floor at the requested n says so instead of a number.
/// </summary>
[Collection("training")]
[Trait("Category", "Slow")]
public sealed class HeldOutFloorTests
{
    private static readonly string[] Tiny =
        ["--steps", "1", "--batch", "8", "--ch", "8", "--mults", "1,2", "--attn", "none", "--levels", "10", "--T", "1",
         "--sample-every", "1", "--eval-every", "0", "--final-eval-n", "20", "--checkpoint-every", "1", "--threads", "1", "--quiet"];

    [Fact]
    public void APngSplitIsDeterministicDisjointAndRefusesAChangedFolder()
    {
        var split = HeldOutSplit.For(300, seed: 5);
        Assert.Equal(30, split.Count);
        Assert.Equal(split.HeldOutIndices(), HeldOutSplit.For(300, seed: 5).HeldOutIndices());
        Assert.NotEqual(split.HeldOutIndices(), HeldOutSplit.For(300, seed: 6).HeldOutIndices());
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (long)i), split.HeldOutIndices().Concat(split.TrainIndices()).Order());
        using var images = new ImageDataset("x", zeros(299, 1, 28, 28), null, [], PixelRange.MinusOneToOne, "");
        var refused = Assert.Throws<ConfigException>(() => split.Apply(images, "png:x"));
        Assert.Contains("holds 299 images, but the run held out 30 of 300", refused.Message);
    }

    [Fact]
    public void APngRunIsScoredAgainstItsHeldOutImagesBesideAFloorFromTheSameFolder()
    {
        var (run, eval) = TrainOnPngFolder(300);
        using (var config = JsonDocument.Parse(File.ReadAllText(run.ConfigPath)))
        {
            var heldOut = config.RootElement.GetProperty("held_out");
            Assert.Equal(300, heldOut.GetProperty("total").GetInt32());
            Assert.Equal(30, heldOut.GetProperty("count").GetInt32());
            Assert.Equal(64, heldOut.GetProperty("indices_sha256").GetString()!.Length);
        }
        var m = eval.GetProperty("metrics");
        Assert.Equal(20, eval.GetProperty("n_reference").GetInt32());
        Assert.False(eval.TryGetProperty("floor_unavailable", out _));
        Assert.True(m.GetProperty("fd_floor").GetDouble() > 0);
        Assert.True(m.GetProperty("fd").GetDouble() > m.GetProperty("fd_floor").GetDouble(), "a model trained one step is far from its data");

        // the floor is computed from the folder's own split, in the one place that computes floors
        using var train = RunImages.Train(RunConfigFile.Read<GenSharp.Score.Images.ImageNcsnConfig>(run).Training.Data, ReadSplit(run));
        using var held = RunImages.HeldOut(RunConfigFile.Read<GenSharp.Score.Images.ImageNcsnConfig>(run).Training.Data, ReadSplit(run));
        Assert.Equal((270, 30), (train.Count, held.Count));
        using var extractor = FeatureExtractor.Load();
        var floor = ReferenceBaselines.Compute(extractor, train.Images, held.Images, 20, eval.GetProperty("seed").GetInt64());
        Assert.Equal(floor.RealVsReal.FrechetDistance, m.GetProperty("fd_floor").GetDouble(), 9);
    }

    [Fact]
    public void AFolderTooSmallForAFloorAtNSaysSoInsteadOfANumber()
    {
        var (run, eval) = TrainOnPngFolder(120);
        var m = eval.GetProperty("metrics");
        Assert.Equal(12, eval.GetProperty("n_reference").GetInt32());
        Assert.True(m.TryGetProperty("fd", out _), "the samples are still scored against the 12 held-out images");
        Assert.False(m.TryGetProperty("fd_floor", out _));
        Assert.False(m.TryGetProperty("fd_noise", out _));
        Assert.Contains("holds out only 12 images, fewer than the 20 samples scored", eval.GetProperty("floor_unavailable").GetString());
        Assert.Contains("No floor or ceiling: ", File.ReadAllText(run.ReportPath));
    }

    private static (RunDirectory Run, JsonElement Eval) TrainOnPngFolder(int images)
    {
        string root = TestTemp.Directory("gensharp-png-floor").FullName;
        string folder = Path.Combine(root, "pngs");
        using (var test = FashionMnist.Load(FashionMnistSplit.Test, limit: images)) PngFolder.Write(test.Images, folder);
        var r = CliRunner.Run(["train", "ncsn", "--runs", root, "--name", "png", "--data", "png:" + folder, .. Tiny]);
        Assert.True(r.ExitCode == 0, r.Err + r.Out);
        var run = RunDirectory.Open(Path.Combine(root, "png"));
        return (run, JsonDocument.Parse(File.ReadAllText(run.EvalPath)).RootElement.Clone());
    }

    private static HeldOutSplit ReadSplit(RunDirectory run) =>
        RunConfigFile.Read<GenSharp.Score.Images.ImageNcsnConfig>(run).HeldOut
            ?? throw new InvalidOperationException("no held-out split in config.json");
}
