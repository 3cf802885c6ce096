using GenSharp.Data;
using GenSharp.Diffusion;
using GenSharp.Diffusion.Conditioning;
using GenSharp.Diffusion.Images;
using GenSharp.Nn;
using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Diffusion.Conditioning;

/// <summary>
/// A class-conditional image DDPM (its loss <see cref="DdpmImageLoss"/> with label dropout, a U-Net with a label embedding and dropout)
/// stopped right after a checkpoint, as a kill would stop it, and resumed in fresh objects ends with the same tensors and metrics rows as
/// a run never interrupted (the label dropout draws from the run's generator, which the checkpoint holds). So does an unconditional run
/// with v-prediction and min-SNR weighting (<see cref="DdpmObjective"/>, docs/ddpm.md#objective), one with EDM preconditioning (its
/// noise levels drawn from the run's generator), and a text-conditional one (a text
/// encoder and cross-attention in the U-Net, whole strings dropped; docs/captcha.md#text-conditioning).
/// </summary>
[Collection(GlobalRngCollection.Name)]
public sealed class ConditionalResumeTests
{
    private const int Total = 12;

    private static readonly UNetConfig Net =
        new() { Channels = 8, Multipliers = [1, 2], AttentionResolutions = [], Height = 8, Width = 8, Groups = 4, Dropout = 0.3 };

    private static readonly Func<Generator, Tensor> ClassLabels = g => randint(0, 3, [32], generator: g);

    [Fact]
    public void AConditionalRunStoppedAfterACheckpointResumesBitIdentically()
    {
        var config = new ImageDdpmConfig
        {
            Schedule = new NoiseScheduleConfig(Timesteps: 50),
            Network = Net,
            Conditioning = new ConditioningConfig { ClassNames = ["a", "b", "c"], PUncond = 0.3 },
        };
        AssertResumesBitIdentically(config, ClassLabels, "model.label_emb.weight");
    }

    [Fact]
    [Trait("Category", "Slow")] // 9 s on the shared machine (load 12 on 2 cores)
    public void AVPredictionMinSnrRunStoppedAfterACheckpointResumesBitIdentically() =>
        AssertResumesBitIdentically(new ImageDdpmConfig
        {
            Schedule = new NoiseScheduleConfig(Timesteps: 50),
            Network = Net,
            Objective = new DdpmObjective(DdpmObjective.V, "min-snr:5").Validate(),
        }, ClassLabels, "model.conv_in.weight");

    [Fact]
    [Trait("Category", "Slow")] // as the v run: 12 steps twice of a tiny U-Net
    public void AnEdmPreconditionedRunStoppedAfterACheckpointResumesBitIdentically() =>
        AssertResumesBitIdentically(new ImageDdpmConfig
        {
            Schedule = new NoiseScheduleConfig(Timesteps: 50),
            Network = Net,
            Objective = new DdpmObjective(DdpmObjective.Edm).Validate(),
        }, ClassLabels, "model.conv_in.weight");

    [Fact]
    public void ATextConditionalRunStoppedAfterACheckpointResumesBitIdentically()
    {
        var tokens = new GenSharp.Nn.Text.TextTokens("23456789ABCDEFGHJKLMNPQRSTUVWXYZ", 4);
        var config = new ImageDdpmConfig
        {
            Schedule = new NoiseScheduleConfig(Timesteps: 50),
            Network = TextConditioningTests.TinyTextUNet(8, 8) with { Dropout = 0.3 },
            Conditioning = new ConditioningConfig { Kind = ConditioningConfig.Text, PUncond = 0.3 },
        };
        AssertResumesBitIdentically(config, g => randint(0, tokens.Alphabet.Length, [32, tokens.MaxLength], generator: g) + 2,
            "model.text_encoder.token.weight");
    }

    private static void AssertResumesBitIdentically(ImageDdpmConfig config, Func<Generator, Tensor> labels, string someWeight)
    {
        var full = Train(config, labels, stopAfter: null);
        var stopped = Train(config, labels, stopAfter: 7);
        string final = Path.GetFileName(Checkpoint.FindLatest(full.CheckpointsDir)!);
        Assert.Equal(final, Path.GetFileName(Checkpoint.FindLatest(stopped.CheckpointsDir)));
        using var a = Safetensors.Load(Path.Combine(full.CheckpointsDir, final));
        using var b = Safetensors.Load(Path.Combine(stopped.CheckpointsDir, final));
        Assert.Contains(someWeight, a.Tensors.Keys);
        Assert.Equal(a.Tensors.Keys.Order(), b.Tensors.Keys.Order());
        foreach (var (name, t) in a.Tensors)
            Assert.True(t.bytes.SequenceEqual(b.Tensors[name].bytes), $"{name} differs after resume");
        Assert.Equal(Rows(full), Rows(stopped));
    }

    private static RunDirectory Train(ImageDdpmConfig config, Func<Generator, Tensor> drawLabels, long? stopAfter)
    {
        var run = RunDirectory.Create(Path.Combine(TestTemp.Directory("gensharp-cond-resume").FullName, "r"));
        int classes = config.Conditioning?.Classes ?? 0;
        bool conditional = config.Conditioning is not null;
        for (int session = 0; session < 2; session++)
        {
            manual_seed(5);
            using var model = new UNet(config.Network, classes);
            using var shadow = new UNet(config.Network, classes);
            using var ema = new Ema(model, shadow, 0.9);
            using var optimizer = new FusedAdamW(model.parameters(), 1e-3, weight_decay: 0);
            using var rng = new Generator(7, CPU);
            using var loss = new DdpmImageLoss(config, model, CPU);
            using var data = rand([32, 1, 8, 8], generator: rng) * 2 - 1;
            using var labels = drawLabels(rng);
            using var batches = new BatchSampler(32, 8, 3);
            Tensor Loss(long step)
            {
                var index = batches.BatchIndices(step);
                return loss.Loss(data.index_select(0, index), conditional ? labels.index_select(0, index) : null, rng);
            }
            var trainer = new Trainer(new TrainerConfig(Total, 8, GradClip: 1, LogEvery: 2, CheckpointEvery: 3), model, optimizer,
                new LearningRateSchedule(1e-3, Total, 2, "constant"), ema, rng, run, Loss);
            if (session == 0 && stopAfter is long stop)
                trainer.Every(1, step => { if (step == stop) throw new InvalidOperationException("stop"); });
            if (session == 1) trainer.Resume();
            try
            {
                trainer.Run(quiet: true);
                return run;
            }
            catch (InvalidOperationException e) when (e.Message == "stop")
            {
            }
        }
        throw new InvalidOperationException("the resumed run did not finish");
    }

    private static string[] Rows(RunDirectory run) =>
        run.Metrics.ReadAll().Select(r => string.Join(",", r.EnumerateObject()
            .Where(p => p.Name is not ("wall_time_s" or "cpu_time_s" or "samples_per_s")).Select(p => $"{p.Name}={p.Value}"))).ToArray();
}
