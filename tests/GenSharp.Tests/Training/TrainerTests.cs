using GenSharp.Nn;
using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Training;

[Collection("training")]
public sealed class TrainerTests
{
    [Trait("Category", "Slow")]
    [Fact]
    public void LiveTensorCountStaysFlatOverAThousandStepsAndLossFalls()
    {
        var run = RunDirectory.Create(Path.Combine(TestTemp.Directory("gensharp-trainer").FullName, "r"));
        manual_seed(0);
        var config = new MlpNoisePredictorConfig(DataDim: 2, Hidden: 32, Layers: 2, TimeEmbedDim: 16);
        using var model = new MlpNoisePredictor(config);
        using var shadow = new MlpNoisePredictor(config);
        using var ema = new Ema(model, shadow, 0.99);
        using var opt = optim.AdamW(model.parameters(), 1e-3);
        using var g = new Generator(1, CPU);
        using var target = tensor(new float[] { 0.5f, -0.25f });
        // regress a constant: a loss with a known optimum of 0
        Tensor Loss(long step) =>
            (model.call(randn([64, 2], generator: g), randint(0, 100, [64], dtype: ScalarType.Int64, generator: g)) - target).pow(2).mean();

        var live = new Dictionary<long, long>();
        var trainer = new Trainer(new TrainerConfig(1000, 64, GradClip: 1.0, LogEvery: 100, CheckpointEvery: 500), model, opt,
            new LearningRateSchedule(1e-3, 1000), ema, g, run, Loss);
        trainer.Every(100, step => live[step] = DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        trainer.Run(quiet: true);

        Assert.Equal(1000, trainer.Step);
        Assert.Equal(live[100], live[1000]); // no tensor accumulates from step to step
        var (_, losses) = run.Metrics.Series("loss");
        Assert.Equal(10, losses.Length);
        Assert.True(losses[^1] < 0.1 * losses[0], $"loss {losses[0]} -> {losses[^1]}");
        Assert.Equal(2, Directory.GetFiles(run.CheckpointsDir).Length); // steps 500 and 1000
    }

    [Fact]
    public void EmaFollowsTheClosedFormAverage()
    {
        // with decay m and no warm-up, after k updates towards a fixed value v from s0: s_k = v + m^k (s0 - v)
        using var a = nn.Linear(1, 1, hasBias: false);
        using var b = nn.Linear(1, 1, hasBias: false);
        using (no_grad()) a.weight!.fill_(0f);
        using var ema = new Ema(a, b, 0.9, warmup: false);
        using (no_grad()) a.weight!.fill_(1f);
        for (int k = 0; k < 10; k++) ema.Update(k);
        Assert.Equal(1 - Math.Pow(0.9, 10), b.weight!.item<float>(), 5);
        Assert.Equal(Math.Min(0.999, 1.0 / 10), new Ema(a, nn.Linear(1, 1, hasBias: false), 0.999).DecayAt(0), 12);
    }
}
