using System.Diagnostics;
using System.Text.Json;
using GenSharp.Data;
using GenSharp.Evaluation;
using GenSharp.Pipelines;
using GenSharp.Training;
using static TorchSharp.torch;

namespace GenSharp.Tests.Cli;

/// <summary>
/// Sharded sampling and evaluation end to end (docs/scale-out.md) on a one-epoch GAN: three <c>eval --shard k/3</c> processes run at once,
/// <c>eval merge</c> gives the FD of the unsharded draw (<c>--shard 0/1</c>) bit for bit, and <c>sample --shard</c> folders hold the
/// unsharded PNGs byte for byte.
/// </summary>
[Collection("training")]
[Trait("Category", "Slow")]
public sealed class ShardCliTests
{
    private static readonly string[] SmallGan =
        ["--loss", "ns", "--train-limit", "64", "--batch", "16", "--epochs", "1", "--eval-samples", "100", "--epoch-eval-samples", "0",
         "--threads", "1", "--quiet"];

    private static (int ExitCode, string Err) RunProcess(params string[] args)
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "GenSharp.Cli.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        info.ArgumentList.Add(cli);
        foreach (string a in args) info.ArgumentList.Add(a);
        info.Environment["GENSHARP_OMP_WAIT"] = "passive";
        var p = Process.Start(info)!;
        var err = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, err.Result);
    }

    [Fact]
    public async Task ThreeShardProcessesMergeToTheUnshardedFdAndSamples()
    {
        string runs = TestTemp.Directory("gensharp-shard").FullName;
        var train = CliRunner.Run(["train", "gan", "--runs", runs, "--name", "g", .. SmallGan]);
        Assert.True(train.ExitCode == 0, train.Err);
        string run = Path.Combine(runs, "g");
        string[] common = ["--n", "300", "--seed", "5", "--batch", "50", "--threads", "1", "--quiet"];

        var shards = Enumerable.Range(0, 3).Select(k => Task.Run(() =>
            RunProcess(["eval", run, .. common, "--shard", $"{k}/3", "--features", "--out", Path.Combine(runs, $"s{k}")]))).ToArray();
        foreach (var (exitCode, err) in await Task.WhenAll(shards)) Assert.True(exitCode == 0, err);
        var whole = CliRunner.Run(["eval", run, .. common, "--shard", "0/1", "--features", "--out", Path.Combine(runs, "whole")]);
        Assert.True(whole.ExitCode == 0, whole.Err);

        string mergedPath = Path.Combine(runs, "merged.json");
        var shardDirs = Enumerable.Range(0, 3).Select(k => Path.Combine(runs, $"s{k}"));
        var merge = CliRunner.Run(["eval", "merge", .. shardDirs, "--out", mergedPath, "--threads", "1"]);
        Assert.True(merge.ExitCode == 0, merge.Err);
        var one = CliRunner.Run("eval", "merge", Path.Combine(runs, "whole"), "--out", Path.Combine(runs, "single.json"), "--threads", "1");
        Assert.True(one.ExitCode == 0, one.Err);
        var again = CliRunner.Run("eval", "merge", Path.Combine(runs, "s0"), Path.Combine(runs, "s1"), "--out", Path.Combine(runs, "m2.json"));
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("2/3 missing", again.Err);
        var overwrite = CliRunner.Run("eval", "merge", Path.Combine(runs, "whole"), "--out", mergedPath);
        Assert.Equal(2, overwrite.ExitCode);

        // the direct FD of the unsharded feature matrix against the first 300 test images
        using var scope = NewDisposeScope();
        using var content = Safetensors.Load(Path.Combine(runs, "whole", ShardEvaluation.FeaturesFile));
        using var extractor = FeatureExtractor.Load();
        using var test = FashionMnist.Load(FashionMnistSplit.Test, null, PixelRange.MinusOneToOne, limit: 300);
        var (real, _) = extractor.Extract(test.Images);
        double direct = FrechetDistance.Compute(real, content.Tensors["features"]);
        using var merged = JsonDocument.Parse(File.ReadAllText(mergedPath));
        var m = merged.RootElement.GetProperty("metrics");
        Assert.Equal(3, merged.RootElement.GetProperty("shards").GetInt32());
        using var single = JsonDocument.Parse(File.ReadAllText(Path.Combine(runs, "single.json")));
        double fd = m.GetProperty("fd").GetDouble();
        Assert.Equal(single.RootElement.GetProperty("metrics").GetProperty("fd").GetDouble(), fd);          // bit for bit, not just to 1e-9
        Assert.True(Math.Abs(fd - direct) < 1e-6 * direct, $"merged FD {fd} vs the float64 formula on the whole feature matrix {direct}");
        Assert.True(m.GetProperty("fd").GetDouble() > m.GetProperty("fd_floor").GetDouble());
        foreach (string key in new[] { "kid", "precision", "recall", "classifier_score", "largest_class_fraction", "class_entropy_nats" })
            Assert.Equal(JsonValueKind.Number, m.GetProperty(key).ValueKind);

        // sample shards: the unsharded PNGs, byte for byte, under their indices in the whole draw
        var sampleWhole = CliRunner.Run(["sample", run, "--n", "120", "--seed", "2", "--batch", "50", "-o", Path.Combine(runs, "all"), "--quiet"]);
        Assert.True(sampleWhole.ExitCode == 0, sampleWhole.Err);
        for (int k = 0; k < 3; k++)
        {
            var part = CliRunner.Run(
                ["sample", run, "--n", "120", "--seed", "2", "--batch", "50", "--shard", $"{k}/3", "-o", Path.Combine(runs, $"p{k}"), "--quiet"]);
            Assert.True(part.ExitCode == 0, part.Err);
        }
        var files = Enumerable.Range(0, 3).SelectMany(k => Directory.GetFiles(Path.Combine(runs, $"p{k}"), "*.png"))
            .OrderBy(Path.GetFileName).ToList();
        Assert.Equal(120, files.Count);
        foreach (string f in files)
            Assert.Equal(File.ReadAllBytes(Path.Combine(runs, "all", Path.GetFileName(f))), File.ReadAllBytes(f));
    }
}
