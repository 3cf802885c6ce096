using System.Diagnostics;
using System.Text.Json;
using GenSharp.Cli.Commands;
using GenSharp.Tests.Cli;

namespace GenSharp.Tests.Diffusion.Toy;

[Collection("training")]
public sealed class DemoTests
{
    /// <summary>
    /// The demo's full budget (fixed seed): the 2D DDPM must recover the mixture weights within 0.05 and
    /// the mean log-likelihood of true samples within 0.25 nats, and sample/eval must work on its run.
    /// </summary>
    [Fact]
    public void DemoMeetsItsTargetsAndItsRunCanBeSampledAndEvaluated()
    {
        string dir = Path.Combine(Directory.CreateTempSubdirectory("gensharp-demo").FullName, "demo");
        var clock = Stopwatch.StartNew();
        var (rc, output, err) = CliRunner.Run("demo", "--out", dir, "--threads", "2", "--quiet");
        Assert.True(rc == 0, err);
        Assert.True(clock.Elapsed.TotalMinutes < 3, $"demo took {clock.Elapsed}");
        Assert.Contains("PASS", output);

        using var eval = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "eval.json")));
        var m = eval.RootElement.GetProperty("metrics");
        Assert.True(m.GetProperty("weight_error_max").GetDouble() < DemoCommand.MaxWeightError);
        Assert.True(Math.Abs(m.GetProperty("loglik_gap").GetDouble()) < DemoCommand.MaxLogLikelihoodGap);

        string html = File.ReadAllText(Path.Combine(dir, "report.html"));
        Assert.Contains("data:image/png;base64,", html);
        Assert.Contains("mixture-weight error", html);

        (rc, output, err) = CliRunner.Run("sample", dir, "--n", "300", "--seed", "4", "--quiet");
        Assert.True(rc == 0, err);
        string csv = Path.Combine(dir, "samples", "samples-n300-seed4.csv");
        Assert.Equal(301, File.ReadAllLines(csv).Length);
        Assert.Contains("samples/s", output);
    }
}
