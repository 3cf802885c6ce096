using System.Text.Json;
using GenSharp.Score;

namespace GenSharp.Tests.Cli;

public sealed class LabCommandTests
{
    [Fact]
    public void Ncsnv2CalculatorPrintsTheTechniqueValues()
    {
        var (rc, output, err) = CliRunner.Run("lab", "ncsnv2", "--dim", "3072", "--sigma1", "50", "--sigmaL", "0.01", "--T", "5", "--json");
        Assert.True(rc == 0, err);
        using var doc = JsonDocument.Parse(output);
        var r = doc.RootElement;
        double root = r.GetProperty("gamma_root").GetDouble();
        Assert.Equal(Ncsnv2Techniques.SolveGamma(3072)!.Value, root, 12);
        int levels = r.GetProperty("levels").GetInt32();
        Assert.Equal(Ncsnv2Techniques.NumberOfLevels(50, 0.01, root), levels);
        double gamma = Math.Pow(50 / 0.01, 1.0 / (levels - 1));
        Assert.Equal(gamma, r.GetProperty("gamma").GetDouble(), 12);
        Assert.Equal(Ncsnv2Techniques.ChooseEps(5, gamma, 0.01).Eps, r.GetProperty("eps").GetDouble(), 15);
    }

    [Fact]
    public void Ncsnv2CalculatorExplainsTheMissingRootInTwoDimensions()
    {
        var (rc, _, err) = CliRunner.Run("lab", "ncsnv2", "--dim", "2", "--sigma1", "20", "--sigmaL", "1");
        Assert.Equal(2, rc);
        Assert.Contains("--levels", err);
        Assert.DoesNotContain("   at ", err);
        var (ok, output, err2) = CliRunner.Run("lab", "ncsnv2", "--data", "toy:mog2", "--n", "500", "--sigmaL", "1", "--T", "50", "--levels", "20");
        Assert.True(ok == 0, err2);
        Assert.Contains("max pairwise distance of toy:mog2 (exact)", output);
    }

    [Trait("Category", "Slow")]
    [Fact]
    public void ScoreToyRunsOnAUserMixtureAndWritesTheReport()
    {
        string dir = Path.Combine(Path.GetTempPath(), "gensharp-score-toy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string mixture = Path.Combine(dir, "three.json");
            File.WriteAllText(mixture, """
                {"name": "three", "components": [
                  {"weight": 0.5, "mean": [0, 0], "cov": [[1, 0.2], [0.2, 1]]},
                  {"weight": 0.3, "mean": [6, 1], "cov": [[0.5, 0], [0, 0.8]]},
                  {"weight": 0.2, "mean": [-4, 5], "cov": [[1.2, 0], [0, 0.4]]}]}
                """);
            string outDir = Path.Combine(dir, "out");
            var (rc, output, err) = CliRunner.Run("lab", "score-toy", "--data", "toy:" + mixture, "--out", outDir, "--quiet", "--threads", "1",
                "--loss", "ssm-vr", "--hidden", "16", "--layers", "3", "--train-size", "200", "--fixed-sigmas", "0.5,2", "--fixed-steps", "15",
                "--ncsn-steps", "15", "--levels", "4", "--sigma-max", "auto", "--sigma-min", "0.5", "--T", "3", "--n", "150",
                "--langevin-steps", "10", "--starts", "8,8");
            Assert.True(rc == 0, err + output);
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json")));
            var r = doc.RootElement;
            Assert.Equal([0.5, 2.0], r.GetProperty("field_errors").EnumerateArray().Select(e => e.GetProperty("sigma").GetDouble()));
            Assert.All(r.GetProperty("field_errors").EnumerateArray(), e => Assert.True(e.GetProperty("relative_error").GetDouble() > 0));
            var sigmas = r.GetProperty("sigmas").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            Assert.Equal(4, sigmas.Length);
            Assert.Equal(0.5, sigmas[^1], 12);
            Assert.Contains("technique 1", r.GetProperty("sigma_max_source").GetString());
            var weights = r.GetProperty("weight_errors").EnumerateArray().ToArray();
            Assert.Equal(4, weights.Length); // plain and annealed, learned and exact
            Assert.All(weights, w => Assert.Equal(3, w.GetProperty("fractions").GetArrayLength()));
            Assert.Equal(2 * 2, r.GetProperty("trajectories").GetArrayLength()); // one start, two dynamics, two scores
            string report = File.ReadAllText(Path.Combine(outDir, "report.html"));
            Assert.Contains("Plain vs annealed Langevin", report);
            Assert.Contains("data:image/png;base64,", report);
            foreach (string png in new[] { "density.png", "train-test.png", "field-learned-sigma0.5.png", "field-exact-sigma2.png",
                "trajectories-learned.png", "samples-annealed-learned.png", "field-error.png", "losses.png" })
                Assert.True(File.Exists(Path.Combine(outDir, "plots", png)), png);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ScoreToyRejectsBadInputInOneLine()
    {
        foreach (var args in new[]
        {
            new[] { "lab", "score-toy", "--loss", "bogus", "--out", Path.GetTempPath() },
            ["lab", "score-toy", "--data", "toy:/nonexistent/mixture.json"],
            ["lab", "score-toy", "--fixed-sigmas", "1,x"],
            ["lab", "score-toy", "--langevin-noise", "loud"],
        })
        {
            var (rc, _, err) = CliRunner.Run(args);
            Assert.Equal(2, rc);
            Assert.StartsWith("error: ", err);
            Assert.Single(err.Trim().Split('\n'));
        }
    }
}
