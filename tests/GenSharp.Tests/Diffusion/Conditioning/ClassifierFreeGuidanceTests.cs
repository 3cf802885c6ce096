using GenSharp.Diffusion.Conditioning;
using GenSharp.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Diffusion.Conditioning;

/// <summary>
/// Classifier-free guidance (docs/ddpm.md#classifier-free-guidance): w = 0 is exactly the unconditional prediction, w = 1 exactly the
/// conditional one, and the one batched call equals eps(x, null) + w (eps(x, c) - eps(x, null)) from two separate calls.
/// </summary>
[Collection(GlobalRngCollection.Name)]
public sealed class ClassifierFreeGuidanceTests
{
    private const int Classes = 3;

    private static MlpNoisePredictor Mlp()
    {
        manual_seed(11);
        var model = new MlpNoisePredictor(new MlpNoisePredictorConfig(DataDim: 2, Hidden: 32, Layers: 2, TimeEmbedDim: 16), Classes);
        using (no_grad())
            foreach (var p in model.parameters()) p.normal_(0, 0.5, generator: null); // the output layer starts at zero: make it non-trivial
        model.eval();
        return model;
    }

    private static (Tensor X, Tensor T, Tensor Y) Inputs(long b)
    {
        using var g = new Generator(3, CPU);
        return (randn([b, 2], generator: g), randint(0, 1000, [b], generator: g), randint(0, Classes, [b], generator: g));
    }

    [Fact]
    public void WeightZeroIsExactlyTheUnconditionalAndWeightOneExactlyTheConditionalPrediction()
    {
        using var model = Mlp();
        var (x, t, y) = Inputs(64);
        using var none = full_like(y, Classes);
        using var unconditional = model.Forward(x, t, none);
        using var conditional = model.Forward(x, t, y);
        using var w0 = ClassifierFreeGuidance.Guide((a, b, c) => model.Forward(a, b, c), y, Classes, 0)(x, t);
        using var w1 = ClassifierFreeGuidance.Guide((a, b, c) => model.Forward(a, b, c), y, Classes, 1)(x, t);
        Assert.True(w0.shape.SequenceEqual(unconditional.shape) && (w0 == unconditional).all().item<bool>());
        Assert.True(w1.shape.SequenceEqual(conditional.shape) && (w1 == conditional).all().item<bool>());
        Assert.False(conditional.allclose(unconditional, rtol: 0, atol: 1e-3)); // the label matters, so the two checks are not the same
        using var noLabel = model.call(x, t); // a conditional network called without labels uses the null label
        Assert.True(noLabel.shape.SequenceEqual(unconditional.shape) && (noLabel == unconditional).all().item<bool>());
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(3.0)]
    [InlineData(7.0)]
    public void OneBatchedCallEqualsTheFormulaOnTwoSeparateCalls(double w)
    {
        using var model = Mlp();
        var (x, t, y) = Inputs(50);
        int calls = 0;
        long rows = 0;
        Tensor Counted(Tensor a, Tensor b, Tensor c) { calls++; rows += a.shape[0]; return model.Forward(a, b, c); }
        using var guided = ClassifierFreeGuidance.Guide(Counted, y, Classes, w)(x, t);
        Assert.Equal(1, calls);   // one network call ...
        Assert.Equal(100, rows);  // ... on the concatenated batch [x; x]
        using var none = full_like(y, Classes);
        using var u = model.Forward(x, t, none);
        using var c = model.Forward(x, t, y);
        using var expected = u + w * (c - u);
        Assert.True(guided.allclose(expected, rtol: 1e-5, atol: 1e-5), $"max |diff| {(guided - expected).abs().max().item<float>()}");
    }

    [Theory]
    [InlineData(0.7)]
    [InlineData(1.0)]
    public void GuidanceRescaleIsTheFormulaOnPerSampleStandardDeviationsAndMatchesTheConditionalScaleAtOne(double phi)
    {
        using var model = Mlp();
        var (x, t, y) = Inputs(40);
        const double w = 5;
        using var rescaled = ClassifierFreeGuidance.Guide((a, b, c) => model.Forward(a, b, c), y, Classes, w, phi)(x, t);
        using var plain = ClassifierFreeGuidance.Guide((a, b, c) => model.Forward(a, b, c), y, Classes, w)(x, t);
        using var none = full_like(y, Classes);
        using var u = model.Forward(x, t, none).to_type(ScalarType.Float64);
        using var c = model.Forward(x, t, y).to_type(ScalarType.Float64);
        var expected = new double[40, 2];
        for (int i = 0; i < 40; i++) // written out per sample in float64: guided, the two sample standard deviations, the mix
        {
            double[] ci = [c[i, 0].item<double>(), c[i, 1].item<double>()], ui = [u[i, 0].item<double>(), u[i, 1].item<double>()];
            double[] gi = [ui[0] + w * (ci[0] - ui[0]), ui[1] + w * (ci[1] - ui[1])];
            static double Std(double[] v) => Math.Sqrt(v.Sum(a => (a - v.Average()) * (a - v.Average())) / (v.Length - 1));
            for (int j = 0; j < 2; j++) expected[i, j] = phi * gi[j] * Std(ci) / Std(gi) + (1 - phi) * gi[j];
        }
        using var want = tensor(expected);
        Assert.True(rescaled.to_type(ScalarType.Float64).allclose(want, rtol: 1e-4, atol: 1e-4),
            $"max |diff| {(rescaled.to_type(ScalarType.Float64) - want).abs().max().item<double>()}");
        Assert.False(rescaled.allclose(plain, rtol: 0, atol: 1e-3)); // the rescale did something at w = 5
        if (phi == 1) Assert.True(rescaled.std(1).allclose(c.std(1).to_type(ScalarType.Float32), rtol: 1e-4, atol: 1e-5));
        using var w1 = ClassifierFreeGuidance.Guide((a, b, cc) => model.Forward(a, b, cc), y, Classes, 1, phi)(x, t);
        Assert.True((w1 == c.to_type(ScalarType.Float32)).all().item<bool>()); // w = 1: one half only, nothing to rescale
        Assert.Throws<ConfigException>(() => ClassifierFreeGuidance.Guide((a, b, cc) => model.Forward(a, b, cc), y, Classes, w, 1.5));
    }

    [Fact]
    public void TheBatchedCallOnAConditionalUNetEqualsTwoSeparateCalls()
    {
        manual_seed(2);
        using var unet = new UNet(new UNetConfig { Channels = 16, Multipliers = [1, 2], AttentionResolutions = [4], Height = 8, Width = 8,
            Groups = 4 },
            classes: 4);
        unet.eval();
        using var g = new Generator(5, CPU);
        using var x = randn([6, 1, 8, 8], generator: g);
        using var t = randint(0, 1000, [6], generator: g);
        using var y = randint(0, 4, [6], generator: g);
        using var guided = ClassifierFreeGuidance.Batched((a, b, c) => unet.Forward(a, b, c), x, t, y, 4, 2.5);
        using var none = full_like(y, 4);
        using var u = unet.Forward(x, t, none);
        using var c = unet.Forward(x, t, y);
        using var expected = u + 2.5 * (c - u);
        Assert.True(guided.allclose(expected, rtol: 1e-4, atol: 1e-5), $"max |diff| {(guided - expected).abs().max().item<float>()}");
    }

    [Fact]
    public void AnUnconditionalUNetKeepsItsParametersAndAConditionalOneAddsOneEmbeddingRowPerClassPlusTheNullLabel()
    {
        var config = new UNetConfig();
        using var plain = new UNet(config);
        using var conditional = new UNet(config, classes: 10);
        Assert.Equal(1_112_801, plain.parameters().Sum(p => p.numel()));
        Assert.DoesNotContain(plain.state_dict().Keys, k => k.StartsWith("label_emb", StringComparison.Ordinal));
        Assert.Equal(1_112_801 + 11 * config.TimeDim, conditional.parameters().Sum(p => p.numel()));
        Assert.Equal([11L, config.TimeDim], conditional.state_dict()["label_emb.weight"].shape);
    }

    [Fact]
    public void GuidanceWeightsOutsideTheRangeAreOneLineConfigErrors()
    {
        Assert.Throws<ConfigException>(() => GuidanceWeight.Check(-1, "--guidance"));
        Assert.Throws<ConfigException>(() => GuidanceWeight.Check(double.NaN, "--guidance"));
        Assert.Equal([0.0, 1, 2, 3, 5, 7], GuidanceWeight.ParseList("0,1,2,3,5,7", "--guidance-sweep"));
        var e = Assert.Throws<ConfigException>(() => GuidanceWeight.ParseList("0,x", "--guidance-sweep"));
        Assert.DoesNotContain('\n', e.Message);
    }
}
