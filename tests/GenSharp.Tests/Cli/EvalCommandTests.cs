using System.Globalization;
using System.Text;
using System.Text.Json;
using GenSharp.Data;
using static TorchSharp.torch;

namespace GenSharp.Tests.Cli;

/// <summary><c>gensharp eval fd</c> on feature CSVs and PNG folders, and <c>gensharp eval real</c>.</summary>
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
        string dir = Directory.CreateTempSubdirectory("gensharp-fd").FullName;
        var rng = new Random(4);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        // A ~ N(0, I_3), B ~ N((1, 0, 0), diag(4, 1, 1)): FD = 1 + (2 - 1)^2 = 2
        var a = Enumerable.Range(0, 40_000).Select(_ => new[] { Normal(), Normal(), Normal() }).ToArray();
        var b = Enumerable.Range(0, 40_000).Select(_ => new[] { 1 + 2 * Normal(), Normal(), Normal() }).ToArray();
        var (rc, output, err) = CliRunner.Run("eval", "fd", WriteCsv(Path.Combine(dir, "a.csv"), a), WriteCsv(Path.Combine(dir, "b.csv"), b, header: false), "--json");
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
    public void FdOfTwoImageFoldersIsSmallForRealImagesAndLargeAgainstNoise()
    {
        string dir = Directory.CreateTempSubdirectory("gensharp-fdimg").FullName;
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
