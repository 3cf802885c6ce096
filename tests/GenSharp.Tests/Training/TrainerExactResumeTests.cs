using GenSharp.Data;
using GenSharp.Diffusion;
using GenSharp.Gan;
using GenSharp.Nn;
using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Training;

/// <summary>
/// A run stopped by an exception from a callback right after a checkpoint (as a kill would stop it) and resumed in
/// fresh objects ends with the same tensors, metrics rows and evaluation rows as a run never interrupted: for a DDPM
/// step on a U-Net with dropout (whose masks come from torch's default generator) and for the GAN's two-optimiser step.
/// </summary>
[Collection(GlobalRngCollection.Name)]
public sealed class TrainerExactResumeTests
{
    private const int Total = 12;
    private static readonly string[] Timings = ["wall_time_s", "cpu_time_s", "samples_per_s"];

    [Fact]
    public void ADdpmRunWithDropoutStoppedAfterACheckpointResumesToIdenticalTensorsAndRows()
    {
        var full = TrainDdpm(stopAfter: null);
        var stopped = TrainDdpm(stopAfter: 7);
        Assert.Equal(6, stopped.StoppedAt);
        AssertSameRun(full.Run, stopped.Run);
    }

    [Fact]
    public void AGanRunStoppedAfterACheckpointResumesToIdenticalTensorsOfBothOptimisers()
    {
        var full = TrainGan(stopAfter: null);
        var stopped = TrainGan(stopAfter: 4);
        Assert.Equal(3, stopped.StoppedAt);
        using var checkpoint = Safetensors.Load(Checkpoint.FindLatest(full.Run.CheckpointsDir)!);
        Assert.Contains(checkpoint.Tensors.Keys, k => k.StartsWith("optim.discriminator.", StringComparison.Ordinal));
        Assert.Contains(Checkpoint.GlobalRngKey, checkpoint.Tensors.Keys);
        AssertSameRun(full.Run, stopped.Run);
    }

    /// <summary>
    /// Trains to <see cref="Total"/> steps; with <paramref name="stopAfter"/>, a callback throws at that step (one after a
    /// checkpoint, after that step's metrics row and evaluation row were written), and new objects resume the run.
    /// </summary>
    private static (RunDirectory Run, long StoppedAt) TrainDdpm(long? stopAfter)
    {
        var run = RunDirectory.Create(Path.Combine(TestTemp.Directory("gensharp-exact").FullName, "r"));
        long stoppedAt = -1;
        for (int session = 0; session < 2; session++)
        {
            manual_seed(5);
            var config = new UNetConfig { Channels = 8, Multipliers = [1, 2], AttentionResolutions = [], Height = 8, Width = 8, Groups = 4,
                Dropout = 0.3 };
            using var model = new UNet(config);
            using var shadow = new UNet(config);
            using var ema = new Ema(model, shadow, 0.9);
            using var optimizer = new FusedAdamW(model.parameters(), 1e-3, weight_decay: 0);
            using var rng = new Generator(7, CPU);
            using var diffusion = new GaussianDiffusion(new NoiseSchedule(new NoiseScheduleConfig(Timesteps: 50)));
            using var data = rand([32, 1, 8, 8], generator: rng) * 2 - 1;
            using var batches = new BatchSampler(32, 8, 3);
            Tensor Loss(long step) => diffusion.LossSimple((x, t) => model.call(x, t), data.index_select(0, batches.BatchIndices(step)), rng);
            var trainer = new Trainer(new TrainerConfig(Total, 8, GradClip: 1, LogEvery: 4, CheckpointEvery: 3), model, optimizer,
                new LearningRateSchedule(1e-3, Total, 2, "constant"), ema, rng, run, Loss);
            AddCallbacks(trainer, run, stopAfter: session == 0 ? stopAfter : null);
            if (session == 1) stoppedAt = trainer.Resume();
            try
            {
                trainer.Run(quiet: true);
                return (run, stoppedAt);
            }
            catch (InvalidOperationException e) when (e.Message == "stop")
            {
            }
        }
        throw new InvalidOperationException("the resumed run did not finish");
    }

    private static (RunDirectory Run, long StoppedAt) TrainGan(long? stopAfter)
    {
        var run = RunDirectory.Create(Path.Combine(TestTemp.Directory("gensharp-exact").FullName, "r"));
        long stoppedAt = -1;
        var networks = new GanNetworksConfig(ZDim: 8, GeneratorHidden: 16, GeneratorChannels: 8, DiscriminatorChannels: 4, DiscriminatorHidden: 16);
        var forLoss = GanConfig.ForLoss("wgan-gp");
        var config = (forLoss with
        {
            Training = forLoss.Training with { Batch = 8, Epochs = 4, LogEvery = 2, CheckpointEvery = 100 },
            Network = networks,
        }).WithLossDefaults() with { NCritic = 2 };
        for (int session = 0; session < 2; session++)
        {
            manual_seed(5);
            using var rng = new Generator(7, CPU);
            using var data = new ImageDataset("random", rand([48, 1, 28, 28], generator: rng) * 2 - 1, null, [], PixelRange.MinusOneToOne, "");
            using var pair = new GanPair(networks);
            using var gOpt = GanRecipe.MakeOptimizer(config, pair.Generator.parameters());
            using var dOpt = GanRecipe.MakeOptimizer(config, pair.Discriminator.parameters());
            using var step = new GanStep(config, pair, config.CreateLoss(), gOpt, dOpt, rng, data);
            var trainer = new Trainer(step.TrainerConfig(), pair, step, null, null, rng, run).AlsoCheckpointEvery(step.StepsPerEpoch);
            AddCallbacks(trainer, run, stopAfter: session == 0 ? stopAfter : null);
            if (session == 1) stoppedAt = trainer.Resume();
            try
            {
                trainer.Run(quiet: true);
                Assert.Equal(Total, step.TotalSteps);
                return (run, stoppedAt);
            }
            catch (InvalidOperationException e) when (e.Message == "stop")
            {
            }
        }
        throw new InvalidOperationException("the resumed run did not finish");
    }

    /// <summary>An "evaluation" every 2 steps that draws from both generators (it must not change training) and the stop.</summary>
    private static void AddCallbacks(Trainer trainer, RunDirectory run, long? stopAfter)
    {
        trainer.Every(2, step =>
        {
            using var noise = randn(4);
            run.EvalCurve.Append(new Dictionary<string, object?> { ["step"] = step, ["value"] = (double)noise.sum().item<float>() });
        });
        if (stopAfter is long stop)
            trainer.Every(1, step =>
            {
                if (step == stop) throw new InvalidOperationException("stop");
            });
    }

    private static void AssertSameRun(RunDirectory a, RunDirectory b)
    {
        string final = Path.GetFileName(Checkpoint.FindLatest(a.CheckpointsDir)!);
        Assert.Equal(final, Path.GetFileName(Checkpoint.FindLatest(b.CheckpointsDir)));
        using var x = Safetensors.Load(Path.Combine(a.CheckpointsDir, final));
        using var y = Safetensors.Load(Path.Combine(b.CheckpointsDir, final));
        Assert.Equal(x.Tensors.Keys.Order(), y.Tensors.Keys.Order());
        foreach (var (name, t) in x.Tensors)
            Assert.True(t.bytes.SequenceEqual(y.Tensors[name].bytes), $"{name} differs after resume");
        Assert.Equal(Rows(a.Metrics), Rows(b.Metrics));
        Assert.Equal(Rows(a.EvalCurve), Rows(b.EvalCurve));
    }

    /// <summary>The records without their timings, as text.</summary>
    private static string[] Rows(MetricsLog log) =>
        log.ReadAll().Select(r => string.Join(",", r.EnumerateObject().Where(p => !Timings.Contains(p.Name)).Select(p => $"{p.Name}={p.Value}")))
            .ToArray();
}
