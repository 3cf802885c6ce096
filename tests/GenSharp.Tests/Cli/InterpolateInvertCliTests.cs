using System.Text.Json;
using GenSharp.Score.Images;
using GenSharp.Training;

namespace GenSharp.Tests.Cli;

/// <summary>
/// The first wave's partial rows end to end on a tiny image run: <c>interpolate</c> and <c>invert</c> write what they promise
/// and never overwrite, and <c>train ncsn --loss ssm-vr</c> trains with the sliced objective recorded in config.json.
/// </summary>
[Collection("training")]
[Trait("Category", "Slow")]
public sealed class InterpolateInvertCliTests
{
    private static readonly string[] Tiny =
        ["--data", "fashion-mnist", "--steps", "10", "--batch", "8", "--ch", "8", "--mults", "1,2", "--attn", "none", "--timesteps", "50",
         "--sample-every", "10", "--eval-every", "0", "--final-eval-n", "0", "--log-every", "5", "--threads", "2", "--quiet"];

    [Fact]
    public void InterpolateAndInvertWriteTheirFilesAndRefuseToOverwrite()
    {
        string runs = TestTemp.Directory("gensharp-interp").FullName;
        var r = CliRunner.Run(["train", "ddpm", "--runs", runs, "--name", "m", .. Tiny]);
        Assert.True(r.ExitCode == 0, r.Err + r.Out);
        string run = Path.Combine(runs, "m"), interp = Path.Combine(runs, "interp"), inv = Path.Combine(runs, "inv");

        var i = CliRunner.Run("interpolate", run, "--seeds", "1,2", "--frames", "3", "--steps", "5", "-o", interp, "--threads", "2");
        Assert.True(i.ExitCode == 0, i.Err);
        foreach (string f in new[] { "strip.png", "frames.gif", "interpolation.json" })
            Assert.True(File.Exists(Path.Combine(interp, f)), $"interpolate wrote no {f}");
        Assert.Equal("GIF89a", System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(Path.Combine(interp, "frames.gif")), 0, 6));
        var again = CliRunner.Run("interpolate", run, "--seeds", "1,2", "--frames", "3", "--steps", "5", "-o", interp);
        Assert.Equal(2, again.ExitCode);

        var v = CliRunner.Run("invert", run, "--image", "held-out:4", "--steps", "2,5", "--eta", "0", "-o", inv, "--threads", "2");
        Assert.True(v.ExitCode == 0, v.Err);
        var rows = File.ReadAllLines(Path.Combine(inv, "errors.csv")).Skip(1).Where(l => l.Length > 0).ToList();
        Assert.Equal(4 * 2, rows.Count);                                   // one row per image and (K, eta) point
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(inv, "inversion.json")));
        Assert.Equal(2, json.RootElement.GetProperty("points").GetArrayLength());
        Assert.True(File.Exists(Path.Combine(inv, "error-vs-steps.png")));
        Assert.Equal(2, CliRunner.Run("invert", run, "--image", "held-out:4", "--steps", "2", "-o", inv).ExitCode);
    }

    [Fact]
    public void NcsnTrainsWithTheSlicedObjectiveOnImages()
    {
        string runs = TestTemp.Directory("gensharp-ssm").FullName;
        var r = CliRunner.Run(["train", "ncsn", "--runs", runs, "--name", "s", "--loss", "ssm-vr", "--data", "fashion-mnist", "--steps", "10",
            "--batch", "8", "--ch", "8", "--mults", "1,2", "--attn", "none", "--levels", "4", "--T", "1", "--sample-every", "10",
            "--eval-every", "0", "--final-eval-n", "0", "--log-every", "5", "--threads", "2", "--quiet"]);
        Assert.True(r.ExitCode == 0, r.Err + r.Out);
        var run = RunDirectory.Open(Path.Combine(runs, "s"));
        Assert.Equal("ssm-vr", RunConfigFile.Read<ImageNcsnConfig>(run).Objective.Loss);
        Assert.All(run.Metrics.Series("loss").Values, l => Assert.True(double.IsFinite(l)));
        Assert.Equal(2, CliRunner.Run("train", "ncsn", "--runs", runs, "--name", "t", "--loss", "esm", "--quiet").ExitCode);
    }
}
