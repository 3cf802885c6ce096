using GenSharp.Diffusion;
using GenSharp.Diffusion.Conditioning;
using GenSharp.Diffusion.Images;
using GenSharp.Diffusion.Samplers;
using GenSharp.Nn;
using GenSharp.Nn.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Diffusion.Conditioning;

/// <summary>
/// The text-conditional U-Net (docs/captcha.md#text-conditioning) on the class-conditional guidance machinery: the empty string is the
/// null condition, so w = 0 is exactly the unconditional prediction and w = 1 the conditional one, the one batched call equals two
/// separate calls, the cross-attention maps recorded during a forward sum to 1 over the tokens with zero weight on padding, and label
/// dropout drops whole strings.
/// </summary>
[Collection(GlobalRngCollection.Name)]
public sealed class TextConditioningTests
{
    private const string Alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    private static readonly TextTokens Tokens = new(Alphabet, 4);

    internal static UNetConfig TinyTextUNet(int height = 8, int width = 24) => new()
    {
        Channels = 8, Groups = 4, Multipliers = [1, 2], AttentionResolutions = [], Height = height, Width = width, Dropout = 0,
        CrossAttentionResolutions = [height / 2], Text = new UNetTextConfig { Alphabet = Alphabet, MaxLength = 4, Dim = 16, Heads = 2 },
    };

    private static UNet Model()
    {
        manual_seed(21);
        var unet = new UNet(TinyTextUNet());
        using (no_grad())
            foreach (var (name, p) in unet.named_parameters())
                if (name.Contains(".o.") || name.StartsWith("conv_out")) p.normal_(0, 0.3); // make every path matter
        unet.eval();
        return unet;
    }

    [Fact]
    public void TheEmptyStringIsTheNullConditionAndGuidanceAtZeroAndOneIsExactlyEachHalf()
    {
        using var unet = Model();
        using var scope = NewDisposeScope();
        using var g = new Generator(4, CPU);
        var x = randn([3, 1, 8, 24], generator: g);
        var t = randint(0, 1000, [3], generator: g);
        var y = Tokens.Characters(["7KQ2", "AB", "Z"]);
        var unconditional = unet.Forward(x, t, null);
        Assert.True((unet.Forward(x, t, Tokens.Characters(["", "", ""])) == unconditional).all().item<bool>());
        var conditional = unet.Forward(x, t, y);
        Assert.True((conditional - unconditional).abs().max().item<float>() > 1e-4f, "the text changes the prediction");
        var w0 = ClassifierFreeGuidance.Guide((a, b, c) => unet.Forward(a, b, c), y, TextTokens.Pad, 0)(x, t);
        var w1 = ClassifierFreeGuidance.Guide((a, b, c) => unet.Forward(a, b, c), y, TextTokens.Pad, 1)(x, t);
        Assert.True((w0 == unconditional).all().item<bool>());
        Assert.True((w1 == conditional).all().item<bool>());
        // the one batched call on [x; x] with [c; ""] equals eps(x, "") + w (eps(x, c) - eps(x, "")) from two calls
        var guided = ClassifierFreeGuidance.Batched((a, b, c) => unet.Forward(a, b, c), x, t, y, TextTokens.Pad, 3.0);
        var expected = unconditional + 3.0 * (conditional - unconditional);
        Assert.True(guided.allclose(expected, rtol: 1e-4, atol: 1e-5), $"max |diff| {(guided - expected).abs().max().item<float>()}");
    }

    [Fact]
    public void TheRecordedCrossAttentionMapsSumToOneOverTokensAndLeavePaddingAtZero()
    {
        using var unet = Model();
        var blocks = unet.CrossAttention;
        Assert.Equal(4, blocks.Count); // at the lowest level (height 4): one down, the middle, two up
        foreach (var b in blocks) b.KeepWeights = true;
        using var scope = NewDisposeScope();
        var y = Tokens.Characters(["7KQ2", "AB", ""]);
        unet.Forward(randn(3, 1, 8, 24), tensor(new long[] { 5, 500, 900 }), y);
        foreach (var block in blocks)
        {
            var a = block.LastWeights!;                                                  // (B, heads, H W, 1 + L)
            Assert.Equal(new long[] { 3, 2, 4 * 12, 5 }, a.shape);
            Assert.True((a.sum(-1) - 1).abs().max().item<float>() < 1e-5f);
            Assert.Equal(0f, a[1, .., .., 3..].abs().max().item<float>());                // "AB": positions 3 and 4 are padding
            Assert.True((a[2, .., .., 0] == 1).all().item<bool>());                       // "": the start token takes everything
            Assert.True(a[0].min().item<float>() > 0);                                    // a full string: every token has weight
        }
    }

    [Fact]
    public void LabelDropoutDropsWholeStringsWithTheSameDrawsAsClassLabels()
    {
        using var scope = NewDisposeScope();
        var texts = Tokens.Characters(Enumerable.Range(0, 64).Select(i => "7KQ2"[..(1 + i % 4)]).ToArray());
        using var g1 = new Generator(9, CPU);
        using var g2 = new Generator(9, CPU);
        var dropped = LabelDropout.Apply(texts, 0.3, TextTokens.Pad, g1);
        var classes = LabelDropout.Apply(ones([64], dtype: ScalarType.Int64), 0.3, 0, g2);   // the same stream decides the same rows
        var empty = dropped.eq(0).all(1);
        Assert.Equal(classes.eq(0).data<bool>().ToArray(), empty.data<bool>().ToArray());
        Assert.True(empty.any().item<bool>() && !empty.all().item<bool>());
        var kept = empty.logical_not();
        Assert.True((dropped[kept] == texts[kept]).all().item<bool>());                  // the others are untouched
    }

    [Fact]
    public void GuidedSamplingDrawsTheRequestedStringsCycledAndRefusesOthersNamingTheLine()
    {
        using var unet = Model();
        using var scope = NewDisposeScope();
        var conditioning = new ConditioningConfig { Kind = ConditioningConfig.Text }.Validate();
        var guidance = new GuidanceChoice(Guidance: 2, Texts: ["7KQ2", "ABCD"]).Resolve(conditioning, unet.Tokens);
        using var sampler = new DdpmImageSampler(unet, new GaussianDiffusion(new NoiseSchedule(new NoiseScheduleConfig(Timesteps: 20))),
            new SamplerSpec("ddim", 3).Validate(20), CPU, ownsDiffusion: true, guidance);
        using var g = new Generator(2, CPU);
        var result = sampler.Sample(5, g, new SamplingObserver());
        Assert.Equal(new long[] { 5, 1, 8, 24 }, result.Samples.shape);
        Assert.Equal(["7KQ2", "ABCD", "7KQ2", "ABCD", "7KQ2"], unet.Tokens!.Decode(result.Labels!));
        Assert.Equal(6, result.FunctionEvaluations); // both halves of a guided step
        var e = Assert.Throws<ConfigException>(() =>
            new GuidanceChoice(Texts: ["7KQ2", "7KO2"], TextsFrom: "s.txt").Resolve(conditioning, unet.Tokens));
        Assert.StartsWith("--text-file s.txt line 2 '7KO2'", e.Message);                 // O is not in the alphabet
        e = Assert.Throws<ConfigException>(() => new GuidanceChoice(Texts: ["AB"]).Resolve(conditioning, unet.Tokens));
        Assert.Contains("strings of 4", e.Message);                                      // the run trained on 4 characters only
        Assert.Throws<ConfigException>(() => new GuidanceChoice(Class: "3").Resolve(conditioning, unet.Tokens));
    }

    [Fact]
    public void SampleWritesTheRequestedStringsToLabelsCsv()
    {
        using var unet = Model();
        var conditioning = new ConditioningConfig { Kind = ConditioningConfig.Text }.Validate();
        var guidance = new GuidanceChoice(Guidance: 0.5, Texts: ["7KQ2", "ABCD", "ZZ22"], TextsFrom: "t.txt");
        using var sampler = new DdpmImageSampler(unet, new GaussianDiffusion(new NoiseSchedule(new NoiseScheduleConfig(Timesteps: 10))),
            new SamplerSpec("ddim", 2).Validate(10), CPU, ownsDiffusion: true, guidance.Resolve(conditioning, unet.Tokens));
        var root = TestTemp.Directory("gensharp-text-sample").FullName;
        var run = GenSharp.Training.RunDirectory.Create(Path.Combine(root, "run"));
        string folder = Path.Combine(root, "out");
        GenSharp.Pipelines.SampleFolder.Draw(run, new GenSharp.SampleRequest(4, 1, folder, Quiet: true), sampler, CPU);
        Assert.Equal(["file,text", "000000.png,7KQ2", "000001.png,ABCD", "000002.png,ZZ22", "000003.png,7KQ2"],
            File.ReadAllLines(Path.Combine(folder, "labels.csv")));
        Assert.Equal(4, Directory.GetFiles(folder, "*.png").Length);
    }

    [Fact]
    public void AnUnconditionalUNetsStateDictIsUnchangedAndTextAddsTheEncoderAndTheCrossAttention()
    {
        var text = TinyTextUNet();
        var plain = text with { Text = null, CrossAttentionResolutions = [] };
        using var a = new UNet(plain);
        using var b = new UNet(text);
        var extra = b.state_dict().Keys.Except(a.state_dict().Keys).ToArray();
        Assert.Contains(extra, k => k.StartsWith("text_encoder.", StringComparison.Ordinal));
        Assert.Contains("mid.2.q.weight", extra);          // after the middle's self-attention
        Assert.DoesNotContain(a.state_dict().Keys, k => k.Contains("text"));
        Assert.Throws<ConfigException>(() => new UNet(plain with { CrossAttentionResolutions = [4] }));
        Assert.Throws<ConfigException>(() => new UNet(text with { CrossAttentionResolutions = [5] }));
    }
}
