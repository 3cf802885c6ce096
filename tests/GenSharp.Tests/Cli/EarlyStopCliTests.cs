using System.Text.Json;

namespace GenSharp.Tests.Cli;

/// <summary>
/// <c>sample RUN_DDPM --start-from RUN --t0 T0</c> and <c>eval RUN_DDPM --start-from RUN --t0-sweep LIST</c> end to end on tiny runs
/// (docs/latent-diffusion.md#es-ddpm): the network evaluations are T0 per sample, the sweep writes one row per sampler with the generator
/// and the full samplers beside the T0s, and bad input is one line, exit 2.
/// </summary>
[Trait("Category", "Slow")]
[Collection(GlobalRngCollection.Name)]
public sealed class EarlyStopCliTests
{
    [Fact]
    public void EarlyStoppedSamplingAndTheSweepRunFromAGanAndRefuseBadInput()
    {
        string runs = TestTemp.Directory("gensharp-es").FullName;
        Ok(CliRunner.Run("train", "ddpm", "--runs", runs, "--name", "ddpm", "--data", "fashion-mnist", "--batch", "8", "--ch", "8", "--mults",
            "1,2", "--attn", "none", "--timesteps", "40", "--steps", "2", "--sample-every", "100", "--eval-every", "0", "--final-eval-n", "0",
            "--threads", "2", "--quiet"));
        Ok(CliRunner.Run("train", "gan", "--runs", runs, "--name", "gan", "--train-limit", "64", "--batch", "32", "--epochs", "1",
            "--eval-samples", "100", "--epoch-eval-samples", "0", "--threads", "2", "--quiet"));
        string ddpm = Path.Combine(runs, "ddpm"), gan = Path.Combine(runs, "gan");

        var sample = Ok(CliRunner.Run("sample", ddpm, "--start-from", gan, "--t0", "10", "--n", "12", "--threads", "2", "--quiet"));
        Assert.Contains("12 samples", sample.Out);
        Assert.Contains("10 network evaluations", sample.Out);
        var ddim = Ok(CliRunner.Run("sample", ddpm, "--start-from", gan, "--t0", "20", "--sampler", "ddim", "--steps", "4", "--n", "4", "--quiet"));
        Assert.Contains("4 network evaluations", ddim.Out);

        Ok(CliRunner.Run("eval", ddpm, "--start-from", gan, "--t0-sweep", "5,10", "--n", "20", "--threads", "2", "--quiet"));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(ddpm, "eval-t0-sweep.json")));
        Assert.True(json.RootElement.GetProperty("complete").GetBoolean());
        var rows = json.RootElement.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal([1, 5, 10, 40, 20, 40],
            rows.Select(r => r.GetProperty("function_evaluations").GetInt32())); // generator, T0s, ddim, dpmpp, ddpm
        Assert.Equal("generator", rows[0].GetProperty("label").GetString());
        Assert.All(rows, r => Assert.True(r.GetProperty("samples_per_second").GetDouble() > 0));
        Assert.True(File.Exists(Path.Combine(ddpm, "plots", "t0-sweep.png")));

        Refused(CliRunner.Run("sample", ddpm, "--start-from", gan, "--t0", "41", "--n", "4", "--quiet"), "--t0 41: must be between 1 and the 40");
        Refused(CliRunner.Run("sample", ddpm, "--t0", "10", "--n", "4", "--quiet"), "--t0: applies with --start-from");
        Refused(CliRunner.Run("sample", ddpm, "--start-from", gan, "--n", "4", "--quiet"), "give --t0 too");
        Refused(CliRunner.Run("sample", gan, "--start-from", ddpm, "--t0", "10", "--n", "4", "--quiet"), "early stopping needs an image DDPM run");
        Refused(CliRunner.Run("sample", ddpm, "--start-from", gan, "--t0", "5", "--sampler", "ddim", "--steps", "8", "--n", "4", "--quiet"),
            "at most 5 steps");
    }

    private static (int ExitCode, string Out, string Err) Ok((int ExitCode, string Out, string Err) r)
    {
        Assert.True(r.ExitCode == 0, r.Err);
        return r;
    }

    private static void Refused((int ExitCode, string Out, string Err) r, string words)
    {
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(words, r.Err);
        Assert.Single(r.Err.Trim().Split('\n'));
    }
}
