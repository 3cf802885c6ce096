using System.Text.Json.Nodes;
using GenSharp.Tests.Cli;
using GenSharp.Training;
using GenSharp.Vdm.Toy;

namespace GenSharp.Tests.Vdm;

/// <summary>
/// A VDM on a 2D toy end to end through the CLI (docs/vdm.md#toys): a killed run resumes bit-identically (network and learned schedule),
/// eval.json holds the exact metrics and the bound beside the exact NLL (the bound at or above it within error), and sample and eval work
/// on the run like on a toy DDPM run.
/// </summary>
[Trait("Category", "Slow")]
[Collection(GlobalRngCollection.Name)]
public sealed class ToyVdmRunTests
{
    private static readonly string[] Small =
        ["--data", "toy:moons", "--steps", "60", "--batch", "64", "--hidden", "16", "--layers", "2", "--schedule", "learned",
         "--schedule-width", "16", "--warmup", "5", "--checkpoint-every", "30", "--sample-every", "60", "--eval-n", "200", "--log-every", "10",
         "--sample-steps", "20", "--bound-points", "2000", "--final-eval-n", "200", "--threads", "1", "--quiet"];

    [Fact]
    public void AKilledToyVdmRunResumesBitIdenticallyAndReportsItsBoundBesideTheExactNll()
    {
        string runs = TestTemp.Directory("gensharp-vdmtoy").FullName;
        var full = CliRunner.Run(["train", "vdm", "--runs", runs, "--name", "full", .. Small]);
        Assert.True(full.ExitCode == 0, full.Err);
        var killed = CliRunner.Run(["train", "vdm", "--runs", runs, "--name", "killed", .. Small]);
        Assert.True(killed.ExitCode == 0, killed.Err);

        // a kill between steps 30 and 60: only the step-30 checkpoint survived, the metrics log holds lines up to step 40
        var run = RunDirectory.Open(Path.Combine(runs, "killed"));
        File.Delete(run.CheckpointPath(60));
        File.Delete(run.EvalPath);
        var lines = File.ReadAllLines(run.MetricsPath).Where(l => !l.Contains("\"step\":50") && !l.Contains("\"step\":60")).ToList();
        File.WriteAllText(run.MetricsPath, string.Join("\n", lines) + "\n");
        var resumed = CliRunner.Run("train", "vdm", "--runs", runs, "--name", "killed", "--resume", "--threads", "1", "--quiet");
        Assert.True(resumed.ExitCode == 0, resumed.Err);
        Assert.Equal(Enumerable.Range(1, 6).Select(i => 10.0 * i), run.Metrics.Series("loss").Steps);
        using (var a = Safetensors.Load(Path.Combine(runs, "full", "checkpoints", "step-00000060.safetensors")))
        using (var b = Safetensors.Load(run.CheckpointPath(60)))
        {
            Assert.Contains(a.Tensors.Keys, k => k.Contains("gamma.l2_weight"));   // the learned schedule is checkpointed with the MLP
            foreach (var (name, t) in a.Tensors)
                Assert.True(t.bytes.SequenceEqual(b.Tensors[name].bytes), $"{name} differs after resume");
        }

        var config = RunConfigFile.Read<ToyVdmConfig>(run);
        Assert.Equal(ToyVdmConfig.Kind, config.Model);
        Assert.Equal(2, config.DataStd.Length);
        var eval = JsonNode.Parse(File.ReadAllText(run.EvalPath))!;
        Assert.Equal("vdm-ancestral-20", (string?)eval["sampler"]);
        var metrics = eval["metrics"]!;
        double gap = (double)metrics["bound_gap"]!, se = (double)metrics["bound_gap_se"]!;
        Assert.True(gap > -4 * se, $"the bound is below the exact NLL: {gap} +- {se}");
        Assert.Equal((double)metrics["bound_nats"]! - (double)metrics["exact_nll"]!, gap, 6);
        Assert.Equal(2000, (int)eval["bound"]!["points"]!);
        Assert.NotNull(metrics["loglik_samples"]);
        Assert.Equal(20, (double)metrics["function_evaluations"]!);
        Assert.True(File.Exists(Path.Combine(run.PlotsDir, "log-snr-schedule.png")));
        Assert.Contains("beside the exact likelihood", File.ReadAllText(run.ReportPath));

        // sample and eval on the run, with their own steps and held-out points
        var sample = CliRunner.Run("sample", run.Root, "--n", "50", "--steps", "10", "--threads", "1", "--quiet");
        Assert.True(sample.ExitCode == 0, sample.Err);
        Assert.Equal(51, File.ReadAllLines(Path.Combine(run.SamplesDir, "vdm-ancestral-10-n50-seed0.csv")).Length);
        var evaluated = CliRunner.Run("eval", run.Root, "--n", "100", "--steps", "10", "--bpd", "500", "--threads", "1", "--quiet");
        Assert.True(evaluated.ExitCode == 0, evaluated.Err);
        eval = JsonNode.Parse(File.ReadAllText(run.EvalPath))!;
        Assert.Equal(500, (int)eval["bound"]!["points"]!);
        Assert.Equal("vdm-ancestral-10", (string?)eval["sampler"]);
        var ddim = CliRunner.Run("sample", run.Root, "--n", "50", "--sampler", "ddim", "--quiet");
        Assert.Equal(2, ddim.ExitCode);
        Assert.Contains("samples only with vdm-ancestral", ddim.Err);
    }
}
