using GenSharp.Data;
using GenSharp.Gan;
using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Gan;

[Collection("training")]
public sealed class GanStepTests
{
    private static readonly GanNetworksConfig Tiny = new(ZDim: 8, GeneratorHidden: 16, GeneratorChannels: 8,
        DiscriminatorChannels: 4, DiscriminatorHidden: 16);

    private static float[] Flat(nn.Module m) => m.parameters().SelectMany(p => p.detach().cpu().data<float>().ToArray()).ToArray();

    [Theory]
    [InlineData("ns")]
    [InlineData("wgan")]
    [InlineData("wgan-gp")]
    public void EachUpdateChangesOnlyItsOwnNetworkAndMemoryStaysFlat(string loss)
    {
        manual_seed(0);
        var forLoss = GanConfig.ForLoss(loss);
        var config = (forLoss with { Training = forLoss.Training with { Batch = 16, Epochs = 1 }, Network = Tiny }).WithLossDefaults().Validate();
        using var data = new ImageDataset("random", rand(64, 1, 28, 28) * 2 - 1, null, [], PixelRange.MinusOneToOne, "");
        using var pair = new GanPair(Tiny);
        using var gOpt = GanRecipe.MakeOptimizer(config, pair.Generator.parameters());
        using var dOpt = GanRecipe.MakeOptimizer(config, pair.Discriminator.parameters());
        using var rng = new Generator(1, CPU);
        using var trainer = new GanStep(config, pair, config.CreateLoss(), gOpt, dOpt, rng, data);
        pair.train();
        using var real = data.Images.narrow(0, 0, 16);

        var g0 = Flat(pair.Generator);
        var d0 = Flat(pair.Discriminator);
        var stats = trainer.DiscriminatorStep(real, sigma: 0.1);
        Assert.True(double.IsFinite(stats.Loss));
        Assert.Equal(g0, Flat(pair.Generator));
        Assert.NotEqual(d0, Flat(pair.Discriminator));
        if (loss == "wgan") Assert.All(Flat(pair.Discriminator), w => Assert.InRange(w, -0.01f, 0.01f));
        if (loss == "wgan-gp") Assert.True(stats.Penalty > 0);

        var d1 = Flat(pair.Discriminator);
        Assert.True(double.IsFinite(trainer.GeneratorStep(sigma: 0.1)));
        Assert.Equal(d1, Flat(pair.Discriminator));
        Assert.NotEqual(g0, Flat(pair.Generator));
        Assert.All(pair.Discriminator.parameters(), p => Assert.True(p.requires_grad));

        long live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 5; i++)
        {
            trainer.DiscriminatorStep(real, 0.1);
            trainer.GeneratorStep(0.1);
        }
        Assert.Equal(live, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
