using GenSharp.Data;
using GenSharp.Diffusion;
using GenSharp.Diffusion.Conditioning;
using GenSharp.Diffusion.Samplers;
using GenSharp.Latent;
using GenSharp.Nn;
using GenSharp.Pipelines;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Latent;

/// <summary>
/// Class-conditional latent diffusion (docs/latent-diffusion.md#conditioning): the latents keep their labels and the class names go to
/// config.json; the U-Net gets a label embedding with the null label; the LDM's latent sampler passes the requested class to the network,
/// and its classifier-free guidance at w = 0 is exactly the unconditional chain, at w = 1 exactly the conditional one (Ho &amp; Salimans
/// 2022, eq. 6; docs/ddpm.md#classifier-free-guidance), with the same start noise; bad requests are one-line errors.
/// </summary>
[Collection(GlobalRngCollection.Name)]
public sealed class ConditionalLatentDiffusionTests
{
    private static readonly string[] Names = ["a", "b", "c"];

    private static LatentDiffusionConfig Config(bool conditional) => new()
    {
        Schedule = new NoiseScheduleConfig(Timesteps: 50),
        Network = new UNetConfig { InChannels = 4, Channels = 16, Multipliers = [1], AttentionResolutions = [], Height = 7, Width = 7 },
        Sampler = new SamplerSpec("ddim", 5, ClipX0: false),
        LatentShape = [4, 7, 7],
        ImageShape = [1, 28, 28],
        ScaleFactor = 1,
        Conditioning = conditional ? new ConditioningConfig { ClassNames = Names, PUncond = 0.2 } : null,
    };

    private static UNet Network(LatentDiffusionConfig config)
    {
        manual_seed(11);
        var unet = new LatentDiffusionRecipe().CreateNetwork(config);
        unet.eval();
        return unet;
    }

    private static SamplerResult Draw(LatentDiffusionConfig config, UNet unet, double w, string? @class)
    {
        using var sampler = LatentDiffusionRecipe.LatentSampler(config, unet, CPU,
            new SamplingChoice(null, null, new GuidanceChoice(Guidance: w, Class: @class)));
        using var g = new Generator(7, CPU);
        return sampler.Sample(4, g, new SamplingObserver());
    }

    /// <summary>The same DDIM chain with the same start noise over a plain noise predictor: the network at fixed labels.</summary>
    private static Tensor Chain(LatentDiffusionConfig config, UNet unet, long label)
    {
        using var diffusion = new GaussianDiffusion(new NoiseSchedule(config.Schedule, CPU));
        using var g = new Generator(7, CPU);
        return config.Sampler.Create(diffusion).Sample((x, t) =>
        {
            using var y = full([x.shape[0]], label, dtype: ScalarType.Int64);
            return unet.Forward(x, t, y);
        }, [4, 4, 7, 7], g, CPU).Samples;
    }

    [Fact]
    public void TheNetworkGetsALabelEmbeddingWithTheNullLabelAndTheSamplerPassesTheRequestedClass()
    {
        using var scope = NewDisposeScope();
        using var unet = Network(Config(conditional: true));
        Assert.Equal(3, unet.Classes);
        var embedding = unet.named_parameters().Single(p => p.name == "label_emb.weight").parameter;
        Assert.Equal([4L, 4 * 16], embedding.shape); // K = 3 classes and the null label 3, each a vector of the time embedding's width 4 ch
        var a = Draw(Config(true), unet, 1, "a");
        var b = Draw(Config(true), unet, 1, "B"); // a class name, case-insensitive
        Assert.Equal([0L, 0, 0, 0], a.Labels!.data<long>().ToArray());
        Assert.Equal([1L, 1, 1, 1], b.Labels!.data<long>().ToArray());
        Assert.False(a.Samples.allclose(b.Samples, rtol: 0, atol: 1e-4), "another class, the same start noise: other latents");
        var random = Draw(Config(true), unet, 1, null); // without --class: classes uniform over 0..K-1, never the null label
        Assert.All(random.Labels!.data<long>().ToArray(), y => Assert.InRange(y, 0, 2));
    }

    [Fact]
    public void WeightZeroIsTheUnconditionalChainAndWeightOneTheConditionalOneAndAGuidedStepCostsTwoEvaluations()
    {
        using var scope = NewDisposeScope();
        var config = Config(conditional: true);
        using var unet = Network(config);
        var w0 = Draw(config, unet, 0, "c");
        var w1 = Draw(config, unet, 1, "c");
        var w3 = Draw(config, unet, 3, "c");
        Assert.True(w0.Samples.eq(Chain(config, unet, label: 3)).all().item<bool>(), "w = 0: the null label's chain, bit for bit");
        Assert.True(w1.Samples.eq(Chain(config, unet, label: 2)).all().item<bool>(), "w = 1: class c's chain, bit for bit");
        Assert.Equal(5, w0.FunctionEvaluations);
        Assert.Equal(5, w1.FunctionEvaluations);
        Assert.Equal(10, w3.FunctionEvaluations); // both halves of one batched call per step
        Assert.False(w3.Samples.allclose(w1.Samples, rtol: 0, atol: 1e-4));
    }

    [Fact]
    public void DecodedSamplesKeepTheClassesTheyWereDrawnForAsCompareAndSampleReadThem()
    {
        using var scope = NewDisposeScope();
        var config = Config(conditional: true);
        using var unet = Network(config);
        manual_seed(6);
        var vae = new GenSharp.Vae.VariationalAutoencoder(new GenSharp.Vae.VaeNetworkConfig(Width: 16, LatentChannels: 4, FlatDim: 0));
        vae.eval();
        using var sampler = new DecodedSampler(LatentDiffusionRecipe.LatentSampler(config, unet, CPU), new LatentAutoencoder(vae, 1));
        using var g = new Generator(7, CPU);
        var result = sampler.Sample(6, g, new SamplingObserver());
        Assert.Equal([6L, 1, 28, 28], result.Samples.shape);
        Assert.NotNull(result.Labels); // compare's conditional_accuracy and sample's labels.csv read these
        Assert.All(result.Labels.data<long>().ToArray(), y => Assert.InRange(y, 0, 2));
        var (header, values) = sampler.LabelColumn(result.Labels);
        Assert.Equal("label", header);
        Assert.Equal(result.Labels.data<long>().ToArray().Select(y => y.ToString(System.Globalization.CultureInfo.InvariantCulture)), values);
    }

    [Fact]
    public void TheLossFeedsTheLabelsAfterLabelDropoutAndRefusesUnlabelledData()
    {
        using var scope = NewDisposeScope();
        var config = Config(conditional: true);
        using var unet = Network(config);
        using var loss = new LatentDiffusionRecipe().CreateLoss(config, unet, CPU);
        var x = randn([8, 4, 7, 7], generator: new Generator(3, CPU));
        double Of(long label)
        {
            using var rng = new Generator(5, CPU);
            return loss.Loss(x, full([8], label, dtype: ScalarType.Int64), rng).item<float>();
        }
        Assert.NotEqual(Of(0), Of(1));
        using var g = new Generator(5, CPU);
        var e = Assert.Throws<ConfigException>(() => loss.Loss(x, null, g));
        Assert.Contains("no labels", e.Message);
    }

    [Fact]
    public void ANewRunKeepsTheClassNamesOfItsLabelledLatentsAndRefusesLatentsWithoutLabels()
    {
        using var scope = NewDisposeScope();
        var request = Config(true) with { Conditioning = new ConditioningConfig { PUncond = 0.2 }, ImageShape = [], LatentShape = [] };
        using var labelled = new ImageDataset("latents", randn([6, 4, 7, 7]), tensor(new long[] { 0, 1, 2, 0, 1, 2 }), Names,
            PixelRange.MinusOneToOne, "h");
        var complete = new LatentDiffusionRecipe().Complete(request, labelled).Validate();
        Assert.Equal(Names, complete.Conditioning!.ClassNames);
        Assert.Equal(3, complete.Conditioning.NullLabel);
        using var unlabelled = new ImageDataset("latents", randn([6, 4, 7, 7]), null, [], PixelRange.MinusOneToOne, "h");
        var e = Assert.Throws<ConfigException>(() => new LatentDiffusionRecipe().Complete(request, unlabelled));
        Assert.Contains("--condition class", e.Message);
        Assert.Contains("no class labels", e.Message);
    }

    [Fact]
    public void GuidanceOptionsOnAnUnconditionalRunAndTextConditioningAreOneLineErrors()
    {
        using var scope = NewDisposeScope();
        var config = Config(conditional: false);
        using var unet = Network(config);
        var e = Assert.Throws<ConfigException>(() => Draw(config, unet, 1, "3"));
        Assert.Equal("--class: this latent-diffusion run is unconditional (trained without --condition); train with --condition class to use it",
            e.Message);
        var text = Config(true) with { Conditioning = new ConditioningConfig { Kind = ConditioningConfig.Text } };
        Assert.Contains("conditions on image classes only", Assert.Throws<ConfigException>(() => text.Validate()).Message);
        using var conditional = Network(Config(true));
        Assert.Contains("--class 7: this run has classes 0..2",
            Assert.Throws<ConfigException>(() => Draw(Config(true), conditional, 1, "7")).Message);
    }
}
