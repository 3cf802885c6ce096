using System.Globalization;
using System.Text;
using System.Text.Json;
using GenSharp.Cli.Commands;
using GenSharp.Data;
using GenSharp.Evaluation;
using static TorchSharp.torch;

namespace GenSharp.Tests.Cli;

/// <summary><c>gensharp eval fd</c> on feature CSVs and PNG folders, and <c>gensharp eval real</c>.</summary>
[Trait("Category", "Slow")]
public sealed class EvalCommandTests
{
    private static string WriteCsv(string path, double[][] rows, bool header = true)
    {
        var sb = new StringBuilder();
        if (header) sb.AppendLine(string.Join(",", Enumerable.Range(0, rows[0].Length).Select(i => $"f{i}")));
        foreach (var r in rows) sb.AppendLine(string.Join(",", r.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    [Fact]
    public void FdOfTwoFeatureCsvsMatchesTheClosedFormOfTheirGaussians()
    {
        string dir = TestTemp.Directory("gensharp-fd").FullName;
        var rng = new Random(4);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        // A ~ N(0, I_3), B ~ N((1, 0, 0), diag(4, 1, 1)): FD = 1 + (2 - 1)^2 = 2
        var a = Enumerable.Range(0, 40_000).Select(_ => new[] { Normal(), Normal(), Normal() }).ToArray();
        var b = Enumerable.Range(0, 40_000).Select(_ => new[] { 1 + 2 * Normal(), Normal(), Normal() }).ToArray();
        var (rc, output, err) = CliRunner.Run("eval", "fd", WriteCsv(Path.Combine(dir, "a.csv"), a),
            WriteCsv(Path.Combine(dir, "b.csv"), b, header: false), "--json");
        Assert.True(rc == 0, err);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(2.0, json.RootElement.GetProperty("fd").GetDouble(), 0.1);
        Assert.Equal(40_000, json.RootElement.GetProperty("n_a").GetInt32());

        File.WriteAllText(Path.Combine(dir, "ragged.csv"), "1,2,3\n4,5\n");
        (rc, _, err) = CliRunner.Run("eval", "fd", Path.Combine(dir, "a.csv"), Path.Combine(dir, "ragged.csv"));
        Assert.Equal(2, rc);
        Assert.Contains("ragged.csv:2", err);
        Assert.DoesNotContain('\n', err.Trim());
        (rc, _, err) = CliRunner.Run("eval", "fd", Path.Combine(dir, "a.csv"), dir);
        Assert.Equal(2, rc);
        Assert.Contains("both be", err);
    }

    [Fact]
    public void FdOfTwoIdenticalCsvFilesIsZero()
    {
        string dir = TestTemp.Directory("gensharp-fd0").FullName;
        var rng = new Random(5);
        var rows = Enumerable.Range(0, 500).Select(_ => Enumerable.Range(0, 8).Select(_ => rng.NextDouble() * 4 - 2).ToArray()).ToArray();
        string a = WriteCsv(Path.Combine(dir, "a.csv"), rows);
        string b = Path.Combine(dir, "b.csv");
        File.Copy(a, b);
        var (rc, output, err) = CliRunner.Run("eval", "fd", a, b, "--json");
        Assert.True(rc == 0, err);
        using var json = JsonDocument.Parse(output);
        double fd = json.RootElement.GetProperty("fd").GetDouble();
        Assert.True(Math.Abs(fd) < 1e-9, $"FD of a file with itself: {fd}");
        Assert.Equal(500, json.RootElement.GetProperty("n_a").GetInt32());
    }

    /// <summary>
    /// Line 1 is a header only when none of its cells is a number: a first row with one bad number is reported with
    /// its file and line, not skipped; a dimension mismatch between the files names the file, the line and both dimensions.
    /// </summary>
    [Theory]
    [InlineData("1.5,2x,3\n4,5,6\n7,8,9\n", "bad1.csv:1: not a row of finite numbers")]
    [InlineData("f0,1,f2\n4,5,6\n7,8,9\n", "bad1.csv:1: not a row of finite numbers")]
    [InlineData("1,2,nan\n4,5,6\n7,8,9\n", "bad1.csv:1: not a row of finite numbers")]
    [InlineData("x,y\n\n1,2\n3,4\n", "bad1.csv:3: vectors of dimension 2, but")]
    public void ABadFirstLineOrAnotherDimensionIsAOneLineErrorWithExitCodeTwo(string content, string expected)
    {
        string dir = TestTemp.Directory("gensharp-fdbad").FullName;
        string good = WriteCsv(Path.Combine(dir, "good.csv"), [[1.0, 2, 3], [4, 5, 6], [7, 8, 10]]);
        string bad = Path.Combine(dir, "bad1.csv");
        File.WriteAllText(bad, content);
        var (rc, output, err) = CliRunner.Run("eval", "fd", good, bad);
        Assert.Equal(2, rc);
        Assert.Equal("", output);
        Assert.StartsWith("error: ", err);
        Assert.Contains(expected, err);
        Assert.Single(err.Trim().Split('\n'));
        if (expected.Contains("dimension")) Assert.Contains($"{good} has dimension 3", err);
    }

    [Fact]
    public void FdOfTwoImageFoldersIsSmallForRealImagesAndLargeAgainstNoise()
    {
        string dir = TestTemp.Directory("gensharp-fdimg").FullName;
        using var test = FashionMnist.Load(FashionMnistSplit.Test, limit: 600);
        using var scope = NewDisposeScope();
        PngFolder.Write(test.Images.narrow(0, 0, 300), Path.Combine(dir, "a"));
        PngFolder.Write(test.Images.narrow(0, 300, 300), Path.Combine(dir, "b"));
        using var g = new Generator(1, CPU);
        PngFolder.Write(rand([300, 1, 28, 28], generator: g) * 2 - 1, Path.Combine(dir, "noise"));
        double Fd(string x, string y)
        {
            var (rc, output, err) = CliRunner.Run("eval", "fd", Path.Combine(dir, x), Path.Combine(dir, y), "--json", "--threads", "2");
            Assert.True(rc == 0, err);
            using var json = JsonDocument.Parse(output);
            Assert.Equal("fmnist-features-v1", json.RootElement.GetProperty("features").GetString());
            return json.RootElement.GetProperty("fd").GetDouble();
        }
        double real = Fd("a", "b"), noise = Fd("a", "noise");
        Assert.True(real < 0.1 * noise, $"real-vs-real FD {real} should be far below real-vs-noise {noise}");
    }

    /// <summary>The committed, checksummed weights are not overwritten by default (checked before any training starts).</summary>
    [Fact]
    public void TrainClassifierRefusesToOverwriteTheVersionedWeightsWithoutForce()
    {
        string dir = TestTemp.Directory("gensharp-tc").FullName;
        string target = Path.Combine(dir, FeatureClassifierConfig.FileName);
        File.Copy(FeatureExtractor.DefaultPath(), target);
        var (rc, output, err) = CliRunner.Run("eval", "train-classifier", "-o", target, "--epochs", "1", "--threads", "1", "--quiet");
        Assert.Equal(2, rc);
        Assert.Equal("", output);
        Assert.Contains("--force", err);
        Assert.Contains("--output FILE", err);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Equal(FeatureClassifierConfig.Sha256, FeatureExtractor.Sha256Of(target));
        // the same name that does not exist yet, or another name, is written without --force
        EvalTrainClassifierCommand.RefuseToReplaceCommittedWeights(Path.Combine(dir, "other.safetensors"), force: false);
        EvalTrainClassifierCommand.RefuseToReplaceCommittedWeights(Path.Combine(dir, "new", FeatureClassifierConfig.FileName), force: false);
        EvalTrainClassifierCommand.RefuseToReplaceCommittedWeights(target, force: true);
    }

    /// <summary>The reproduce command stored in the weights' metadata is the command as typed (the tokens already hold the verbs).</summary>
    [Fact]
    public void TrainClassifierRecordsTheCommandAsTyped()
    {
        var parse = GenSharp.Cli.Program.BuildRoot().Parse(["eval", "train-classifier", "--epochs", "20", "--threads", "2",
            "-o", "/tmp/a b.safetensors"]);
        Assert.Empty(parse.Errors);
        Assert.Equal("gensharp eval train-classifier --epochs 20 --threads 2 -o '/tmp/a b.safetensors'",
            EvalTrainClassifierCommand.ReproduceCommand(parse));
    }

    /// <summary>eval's RUN_DIR argument belongs to eval alone: its sub-commands' help neither shows it in the usage line nor lists it.</summary>
    [Fact]
    public void EvalSubcommandHelpDoesNotShowTheParentsRunDirArgument()
    {
        var (rc, output, _) = CliRunner.Run("eval", "train-classifier", "--help");
        Assert.Equal(0, rc);
        Assert.Contains(" eval train-classifier [options]", output);
        Assert.DoesNotContain("RUN_DIR", output);
        Assert.DoesNotContain("Arguments:", output);
        Assert.Contains("--force", output);

        (rc, output, _) = CliRunner.Run("eval", "fd", "--help");
        Assert.Equal(0, rc);
        Assert.Contains(" eval fd <A> <B> [options]", output);
        Assert.DoesNotContain("RUN_DIR", output);
        Assert.Contains("Arguments:", output);

        (rc, output, _) = CliRunner.Run("eval", "--help");
        Assert.Equal(0, rc);
        Assert.Contains(" eval <RUN_DIR> [command] [options]", output);
        Assert.Contains("A run directory written by gensharp train", output);
    }

    [Fact]
    public void RealPrintsTheFloorBelowTheCeiling()
    {
        var (rc, output, err) = CliRunner.Run("eval", "real", "--n", "500", "--json", "--threads", "2");
        Assert.True(rc == 0, err);
        using var json = JsonDocument.Parse(output);
        double floor = json.RootElement.GetProperty("real_vs_real").GetProperty("fd").GetDouble();
        double ceiling = json.RootElement.GetProperty("noise_vs_real").GetProperty("fd").GetDouble();
        Assert.True(floor >= 0 && floor < 0.05 * ceiling, $"floor {floor}, ceiling {ceiling}");
        Assert.True(json.RootElement.GetProperty("real_vs_real").GetProperty("recall").GetDouble() > 0.5);
        Assert.Equal(0, json.RootElement.GetProperty("noise_vs_real").GetProperty("recall").GetDouble(), 2);
        var bad = CliRunner.Run("eval", "real", "--n", "5");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--n 5", bad.Err);
    }
}
