using GenSharp.Training;

namespace GenSharp.Tests.Cli;

/// <summary>
/// Resume is exact for every family on images: a run killed right after a checkpoint (simulated on a copy of a finished
/// run: later checkpoints gone, rows logged after the checkpoint still there, a half-written checkpoint and a partial sample
/// folder left behind) and resumed ends with the same tensors, metrics.jsonl rows and eval_curve.jsonl rows as the run
/// never interrupted; so does a run extended with --resume --steps N, and one killed before its first checkpoint.
/// </summary>
[Trait("Category", "Slow")]
[Collection(GlobalRngCollection.Name)]
public sealed class ExactResumeCliTests
{
    private static readonly string[] Ddpm =
        ["--data", "fashion-mnist", "--batch", "8", "--ch", "8", "--mults", "1,2", "--attn", "none", "--dropout", "0.2", "--timesteps", "50",
         "--lr-decay", "constant", "--warmup", "4", "--sample-every", "6", "--eval-every", "6", "--eval-n", "20", "--final-eval-n", "0",
         "--sampler-steps", "4", "--checkpoint-every", "4", "--log-every", "3", "--threads", "2", "--quiet"];

    private static readonly string[] Ncsn =
        ["--data", "fashion-mnist", "--train-limit", "128", "--batch", "8", "--ch", "8", "--mults", "1,2", "--attn", "none", "--dropout", "0.2",
         "--levels-used", "4", "--T", "1", "--lr-decay", "constant", "--warmup", "4", "--sample-every", "6", "--eval-every", "6", "--eval-n", "20",
         "--final-eval-n", "0", "--checkpoint-every", "4", "--log-every", "3", "--threads", "2", "--quiet"];

    [Fact]
    public void ADdpmWithDropoutResumesExactlyAfterAKillAfterAKillBeforeItsFirstCheckpointAndWhenExtended()
    {
        string runs = TestTemp.Directory("gensharp-exact").FullName;
        Train(runs, "ddpm", "full", [.. Ddpm, "--steps", "12"]);
        AssertKilledRunResumesExactly(runs, "ddpm", killedAfter: 8);
        AssertKilledRunResumesExactly(runs, "ddpm", killedAfter: 0);
        Train(runs, "ddpm", "short", [.. Ddpm, "--steps", "8"]);
        Train(runs, "ddpm", "short", "--resume", "--steps", "12", "--threads", "2", "--quiet");
        AssertSameRun(Path.Combine(runs, "full"), Path.Combine(runs, "short"));
    }

    [Fact]
    public void AnNcsnResumesExactlyAfterAKillAndWhenExtended()
    {
        string runs = TestTemp.Directory("gensharp-exact").FullName;
        Train(runs, "ncsn", "full", [.. Ncsn, "--steps", "12"]);
        AssertKilledRunResumesExactly(runs, "ncsn", killedAfter: 4);
        Train(runs, "ncsn", "short", [.. Ncsn, "--steps", "8"]);
        Train(runs, "ncsn", "short", "--resume", "--steps", "12", "--threads", "2", "--quiet");
        AssertSameRun(Path.Combine(runs, "full"), Path.Combine(runs, "short"));
    }

    private static readonly string[] Vdm =
        ["--data", "fashion-mnist", "--train-limit", "128", "--batch", "8", "--ch", "8", "--mults", "1,2", "--attn", "none", "--dropout", "0.2",
         "--schedule", "learned", "--learn-endpoints", "--schedule-width", "16", "--sample-steps", "3", "--lr-decay", "constant", "--warmup", "4",
         "--sample-every", "6", "--eval-every", "0", "--final-eval-n", "0", "--checkpoint-every", "4", "--log-every", "3", "--threads", "2",
         "--fourier-features", "--quiet"]; // no FD curve: the pipeline's, resumed exactly in the DDPM and NCSN cases above

    [Fact]
    public void AVdmWithALearnedScheduleResumesExactlyAfterAKillAndWhenExtended() // with Fourier features of the input
    {
        string runs = TestTemp.Directory("gensharp-exact").FullName;
        Train(runs, "vdm", "full", [.. Vdm, "--steps", "12"]);
        AssertKilledRunResumesExactly(runs, "vdm", killedAfter: 4);
        Train(runs, "vdm", "short", [.. Vdm, "--steps", "8"]);
        Train(runs, "vdm", "short", "--resume", "--steps", "12", "--threads", "2", "--quiet");
        AssertSameRun(Path.Combine(runs, "full"), Path.Combine(runs, "short"));
    }

    [Fact]
    public void AGanResumesExactlyAfterAKillInsideAnEpoch()
    {
        string runs = TestTemp.Directory("gensharp-exact").FullName;
        // 64 images, batch 16, wgan-gp with 2 critic steps: 2 generator steps per epoch, 6 in all; checkpoints every 3 and at epoch ends
        Train(runs, "gan", "full", "--loss", "wgan-gp", "--n-critic", "2", "--train-limit", "64", "--batch", "16", "--epochs", "3",
            "--checkpoint-every", "3", "--log-every", "2", "--eval-samples", "100", "--epoch-eval-samples", "0", "--threads", "2", "--quiet");
        AssertKilledRunResumesExactly(runs, "gan", killedAfter: 3);
    }

    [Fact]
    public void AVaeResumesExactlyAfterAKillInsideAnEpoch()
    {
        string runs = TestTemp.Directory("gensharp-exact").FullName;
        // 96 images, batch 16: 6 steps per epoch, 12 in all; test ELBO rows at the epochs' ends
        Train(runs, "vae", "full", "--train-limit", "96", "--test-limit", "100", "--batch", "16", "--epochs", "2", "--width", "8",
            "--checkpoint-every", "4", "--log-every", "3", "--eval-samples", "100", "--epoch-eval-samples", "0", "--threads", "2", "--quiet");
        AssertKilledRunResumesExactly(runs, "vae", killedAfter: 8);
    }

    [Fact]
    public void ALatentDiffusionRunResumesExactlyAfterAKill()
    {
        string runs = TestTemp.Directory("gensharp-exact").FullName;
        Train(runs, "vae", "vae", "--latent-dim", "0", "--latent-channels", "4", "--train-limit", "64", "--test-limit", "100", "--batch", "32",
            "--epochs", "1", "--width", "8", "--eval-samples", "100", "--epoch-eval-samples", "0", "--threads", "2", "--quiet");
        // 128 images encoded once by the VAE's posterior mean; the U-Net on 4x7x7 latents
        Train(runs, "ldm", "full", "--autoencoder", Path.Combine(runs, "vae"), "--train-limit", "128", "--batch", "8", "--ch", "16",
            "--attn", "none", "--dropout", "0.2", "--lr-decay", "constant", "--warmup", "4", "--steps", "12", "--sample-every", "6",
            "--eval-every", "0", "--final-eval-n", "0", "--checkpoint-every", "4", "--log-every", "3", "--threads", "2", "--quiet");
        AssertKilledRunResumesExactly(runs, "ldm", killedAfter: 8); // the pipeline's evaluation rows are covered by the DDPM and NCSN tests
    }

    internal static void Train(string runs, string family, string name, params string[] args)
    {
        var r = CliRunner.Run(["train", family, "--runs", runs, "--name", name, .. args]);
        Assert.True(r.ExitCode == 0, r.Err);
    }

    /// <summary>A copy of the finished run "full" as a kill right after checkpoint <paramref name="killedAfter"/> leaves it, resumed.</summary>
    internal static void AssertKilledRunResumesExactly(string runs, string family, long killedAfter)
    {
        string full = Path.Combine(runs, "full"), killed = Path.Combine(runs, $"killed-{killedAfter}");
        foreach (string dir in Directory.GetDirectories(full, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(dir.Replace(full, killed));
        foreach (string file in Directory.GetFiles(full, "*", SearchOption.AllDirectories))
            File.Copy(file, file.Replace(full, killed));
        var run = RunDirectory.Open(killed);
        foreach (string checkpoint in Directory.GetFiles(run.CheckpointsDir))
            if (long.Parse(Path.GetFileNameWithoutExtension(checkpoint)["step-".Length..]) > killedAfter) File.Delete(checkpoint);
        File.Delete(run.EvalPath);
        string torn = Path.Combine(run.CheckpointsDir, $".step-{killedAfter + 1:D8}.safetensors.tmp-999999-{Guid.NewGuid():N}");
        File.WriteAllBytes(torn, new byte[100]);
        string partial = Path.Combine(run.SamplesDir, "samples-n10-seed1.partial-999999");
        Directory.CreateDirectory(partial);
        File.AppendAllText(run.MetricsPath, "{\"step\":99,\"lo");

        var resumed = CliRunner.Run("train", family, "--runs", runs, "--name", $"killed-{killedAfter}", "--resume", "--threads", "2", "--quiet");
        Assert.True(resumed.ExitCode == 0, resumed.Err);
        Assert.False(File.Exists(torn) || Directory.Exists(partial), "stale temporary files are removed on resume");
        AssertSameRun(full, killed);
    }

    /// <summary>Same final checkpoint, tensor by tensor and byte by byte; same metrics and evaluation rows apart from timings.</summary>
    private static void AssertSameRun(string a, string b)
    {
        var x = RunDirectory.Open(a);
        var y = RunDirectory.Open(b);
        string final = Checkpoint.FindLatest(x.CheckpointsDir)!;
        Assert.Equal(Path.GetFileName(final), Path.GetFileName(Checkpoint.FindLatest(y.CheckpointsDir)));
        using var p = Safetensors.Load(final);
        using var q = Safetensors.Load(Path.Combine(y.CheckpointsDir, Path.GetFileName(final)));
        Assert.Equal(p.Tensors.Keys.Order(), q.Tensors.Keys.Order());
        Assert.Contains(Checkpoint.GlobalRngKey, p.Tensors.Keys);
        foreach (var (name, t) in p.Tensors)
            Assert.True(t.bytes.SequenceEqual(q.Tensors[name].bytes), $"{name} differs after resume");
        Assert.Equal(Rows(x.Metrics), Rows(y.Metrics));
        Assert.Equal(Rows(x.EvalCurve), Rows(y.EvalCurve));
    }

    private static readonly string[] Timings = ["wall_time_s", "cpu_time_s", "samples_per_s", "sampling_s"];

    private static string[] Rows(MetricsLog log) =>
        log.ReadAll().Select(r => string.Join(",", r.EnumerateObject().Where(p => !Timings.Contains(p.Name)).Select(p => $"{p.Name}={p.Value}")))
            .ToArray();
}
