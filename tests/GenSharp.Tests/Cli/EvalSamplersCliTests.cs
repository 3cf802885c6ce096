using System.Text.Json;
using GenSharp.Training;

namespace GenSharp.Tests.Cli;

/// <summary>
/// <c>train ddpm --eval-samplers</c>: several samplers' FD over training in one run (seed 004's DDPM-vs-DDIM curves), each in the
/// same eval_curve.jsonl row as the run's own sampler, plotted together (here UniPC and EDM's Heun among them, on a v-prediction run:
/// docs/samplers.md, docs/ddpm.md#objective); malformed lists are refused before anything is written.
/// </summary>
[Collection("training")]
[Trait("Category", "Slow")]
public sealed class EvalSamplersCliTests
{
    [SkippableFact]
    public void EverySamplerOfTheListIsScoredAtEveryEvaluationBesideTheRunsOwn()
    {
        Skip.IfNot(Directory.Exists("/usr/share/datasets/fashion-mnist"), "Fashion-MNIST (Debian's dataset-fashion-mnist) is not installed");
        string runs = TestTemp.Directory("gensharp-evalsamplers").FullName;
        var r = CliRunner.Run(["train", "ddpm", "--runs", runs, "--name", "m", 
            "--data", "fashion-mnist", "--steps", "20", "--batch", "8", "--ch", "8",
            "--mults", "1,2", "--attn", "none", "--timesteps", "50", "--sample-every", "20", "--eval-every", "10", "--eval-n", "20",
            "--final-eval-n", "0", "--sampler-steps", "5", "--eval-samplers", "ddpm,dpmpp:4,unipc:4,heun:3", "--prediction", "v",
            "--log-every", "10", "--threads", "2", "--quiet"]);
        Assert.True(r.ExitCode == 0, r.Err + r.Out);
        var run = RunDirectory.Open(Path.Combine(runs, "m"));
        Assert.Contains("\"prediction\":\"v\"", File.ReadAllText(run.ConfigPath).Replace(" ", ""));

        var rows = File.ReadAllLines(run.EvalCurvePath).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal([10, 20], rows.Select(row => row.GetProperty("step").GetInt32()));
        foreach (var row in rows)
        {
            var extra = row.EnumerateObject().Where(p => p.Name.StartsWith("fd@", StringComparison.Ordinal)).ToList();
            Assert.Equal(4, extra.Count);                         // ddpm, dpmpp:4, unipc:4 and heun:3 beside the run's own ddim-5 ("fd")
            double floor = row.GetProperty("fd_floor").GetDouble();
            Assert.All(extra, p => Assert.True(p.Value.GetDouble() > floor, $"{p.Name} {p.Value} of an untrained model must exceed the floor"));
            Assert.True(row.GetProperty("fd").GetDouble() > floor);
        }
        Assert.True(File.Exists(Path.Combine(run.PlotsDir, "fd-over-training.png")));

        foreach (string bad in new[] { "ddim:x", "nosuch:5", "ddim:500" })
        {
            var refused = CliRunner.Run(["train", "ddpm", "--runs", runs, "--name", "bad", "--data", "fashion-mnist", "--timesteps", "50",
                "--eval-samplers", bad, "--quiet"]);
            Assert.Equal(2, refused.ExitCode);
            Assert.DoesNotContain("   at ", refused.Err);
            Assert.False(Directory.Exists(Path.Combine(runs, "bad")), $"--eval-samplers {bad}: nothing may be written");
        }
    }
}
