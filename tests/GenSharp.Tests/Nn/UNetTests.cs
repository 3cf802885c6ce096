using GenSharp.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Nn;

public sealed class UNetTests
{
    /// <summary>
    /// The state dict of the PyTorch peer shared/bench/peer/unet_ref.py at its defaults, as "name shape" lines,
    /// printed once with PyTorch (<c>for k, v in UNet().state_dict().items(): print(k, shape)</c>). The peer is
    /// not run by the tests: this list is the layer-for-layer specification.
    /// </summary>
    private const string ReferenceStateDict = """
temb.0.weight 128x32
temb.0.bias 128
temb.2.weight 128x128
temb.2.bias 128
conv_in.weight 32x1x3x3
conv_in.bias 32
down.0.0.norm1.weight 32
down.0.0.norm1.bias 32
down.0.0.conv1.weight 32x32x3x3
down.0.0.conv1.bias 32
down.0.0.temb.weight 32x128
down.0.0.temb.bias 32
down.0.0.norm2.weight 32
down.0.0.norm2.bias 32
down.0.0.conv2.weight 32x32x3x3
down.0.0.conv2.bias 32
down.1.0.weight 32x32x3x3
down.1.0.bias 32
down.2.0.norm1.weight 32
down.2.0.norm1.bias 32
down.2.0.conv1.weight 64x32x3x3
down.2.0.conv1.bias 64
down.2.0.temb.weight 64x128
down.2.0.temb.bias 64
down.2.0.norm2.weight 64
down.2.0.norm2.bias 64
down.2.0.conv2.weight 64x64x3x3
down.2.0.conv2.bias 64
down.2.0.skip.weight 64x32x1x1
down.2.0.skip.bias 64
down.3.0.weight 64x64x3x3
down.3.0.bias 64
down.4.0.norm1.weight 64
down.4.0.norm1.bias 64
down.4.0.conv1.weight 64x64x3x3
down.4.0.conv1.bias 64
down.4.0.temb.weight 64x128
down.4.0.temb.bias 64
down.4.0.norm2.weight 64
down.4.0.norm2.bias 64
down.4.0.conv2.weight 64x64x3x3
down.4.0.conv2.bias 64
down.4.1.norm.weight 64
down.4.1.norm.bias 64
down.4.1.qkv.weight 192x64x1x1
down.4.1.qkv.bias 192
down.4.1.proj.weight 64x64x1x1
down.4.1.proj.bias 64
mid.0.norm1.weight 64
mid.0.norm1.bias 64
mid.0.conv1.weight 64x64x3x3
mid.0.conv1.bias 64
mid.0.temb.weight 64x128
mid.0.temb.bias 64
mid.0.norm2.weight 64
mid.0.norm2.bias 64
mid.0.conv2.weight 64x64x3x3
mid.0.conv2.bias 64
mid.1.norm.weight 64
mid.1.norm.bias 64
mid.1.qkv.weight 192x64x1x1
mid.1.qkv.bias 192
mid.1.proj.weight 64x64x1x1
mid.1.proj.bias 64
mid.2.norm1.weight 64
mid.2.norm1.bias 64
mid.2.conv1.weight 64x64x3x3
mid.2.conv1.bias 64
mid.2.temb.weight 64x128
mid.2.temb.bias 64
mid.2.norm2.weight 64
mid.2.norm2.bias 64
mid.2.conv2.weight 64x64x3x3
mid.2.conv2.bias 64
up.0.0.norm1.weight 128
up.0.0.norm1.bias 128
up.0.0.conv1.weight 64x128x3x3
up.0.0.conv1.bias 64
up.0.0.temb.weight 64x128
up.0.0.temb.bias 64
up.0.0.norm2.weight 64
up.0.0.norm2.bias 64
up.0.0.conv2.weight 64x64x3x3
up.0.0.conv2.bias 64
up.0.0.skip.weight 64x128x1x1
up.0.0.skip.bias 64
up.0.1.norm.weight 64
up.0.1.norm.bias 64
up.0.1.qkv.weight 192x64x1x1
up.0.1.qkv.bias 192
up.0.1.proj.weight 64x64x1x1
up.0.1.proj.bias 64
up.1.0.norm1.weight 128
up.1.0.norm1.bias 128
up.1.0.conv1.weight 64x128x3x3
up.1.0.conv1.bias 64
up.1.0.temb.weight 64x128
up.1.0.temb.bias 64
up.1.0.norm2.weight 64
up.1.0.norm2.bias 64
up.1.0.conv2.weight 64x64x3x3
up.1.0.conv2.bias 64
up.1.0.skip.weight 64x128x1x1
up.1.0.skip.bias 64
up.1.1.norm.weight 64
up.1.1.norm.bias 64
up.1.1.qkv.weight 192x64x1x1
up.1.1.qkv.bias 192
up.1.1.proj.weight 64x64x1x1
up.1.1.proj.bias 64
up.2.1.weight 64x64x3x3
up.2.1.bias 64
up.3.0.norm1.weight 128
up.3.0.norm1.bias 128
up.3.0.conv1.weight 64x128x3x3
up.3.0.conv1.bias 64
up.3.0.temb.weight 64x128
up.3.0.temb.bias 64
up.3.0.norm2.weight 64
up.3.0.norm2.bias 64
up.3.0.conv2.weight 64x64x3x3
up.3.0.conv2.bias 64
up.3.0.skip.weight 64x128x1x1
up.3.0.skip.bias 64
up.4.0.norm1.weight 96
up.4.0.norm1.bias 96
up.4.0.conv1.weight 64x96x3x3
up.4.0.conv1.bias 64
up.4.0.temb.weight 64x128
up.4.0.temb.bias 64
up.4.0.norm2.weight 64
up.4.0.norm2.bias 64
up.4.0.conv2.weight 64x64x3x3
up.4.0.conv2.bias 64
up.4.0.skip.weight 64x96x1x1
up.4.0.skip.bias 64
up.5.1.weight 64x64x3x3
up.5.1.bias 64
up.6.0.norm1.weight 96
up.6.0.norm1.bias 96
up.6.0.conv1.weight 32x96x3x3
up.6.0.conv1.bias 32
up.6.0.temb.weight 32x128
up.6.0.temb.bias 32
up.6.0.norm2.weight 32
up.6.0.norm2.bias 32
up.6.0.conv2.weight 32x32x3x3
up.6.0.conv2.bias 32
up.6.0.skip.weight 32x96x1x1
up.6.0.skip.bias 32
up.7.0.norm1.weight 64
up.7.0.norm1.bias 64
up.7.0.conv1.weight 32x64x3x3
up.7.0.conv1.bias 32
up.7.0.temb.weight 32x128
up.7.0.temb.bias 32
up.7.0.norm2.weight 32
up.7.0.norm2.bias 32
up.7.0.conv2.weight 32x32x3x3
up.7.0.conv2.bias 32
up.7.0.skip.weight 32x64x1x1
up.7.0.skip.bias 32
norm_out.weight 32
norm_out.bias 32
conv_out.weight 1x32x3x3
conv_out.bias 1
""";

    private static long ParameterCount(nn.Module m) => m.parameters().Sum(p => p.numel());

    [Fact]
    public void DefaultMatchesTheReferenceLayerForLayer()
    {
        using var model = new UNet(new UNetConfig());
        Assert.Equal(1_112_801, ParameterCount(model));
        var expected = ReferenceStateDict.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var actual = model.state_dict().Select(kv => $"{kv.Key} {string.Join("x", kv.Value.shape)}").ToArray();
        Assert.Equal(expected, actual); // same names, same shapes, same order
        Assert.Equal(1_112_801, UNetCost.Of(new UNetConfig()).Parameters);
    }

    [Fact]
    public void AnalyticFlopsOfTheReferenceMatchAnIndependentCount()
    {
        // 380,079,104 forward FLOPs per 28x28 sample: counted with forward hooks on the PyTorch peer's Conv2d and
        // Linear modules (2 Cin k^2 Cout H_out W_out, 2 in out) plus 4 N^2 C per attention block.
        var cost = UNetCost.Of(new UNetConfig());
        Assert.Equal(380_079_104.0, cost.ForwardFlopsPerSample);
        Assert.Equal(3 * 64 * 380_079_104.0, cost.TrainingFlops(64));
    }

    public static TheoryData<string, UNetConfig, int> Configurations => new()
    {
        { "ch 16, mults [1,2], no attention", new UNetConfig { Channels = 16, Multipliers = [1, 2], AttentionResolutions = [], Height = 8,
            Width = 8 }, 8 },
        { "RGB 32x32, attention at 16 and 8", new UNetConfig { InChannels = 3, Channels = 8, Groups = 4, Multipliers = [1, 2, 2],
            AttentionResolutions = [16, 8], Height = 32, Width = 32 }, 32 },
        { "4-channel 8x8 latents", new UNetConfig { InChannels = 4, Channels = 8, Groups = 4, Multipliers = [1, 2], AttentionResolutions = [4],
            Height = 8, Width = 8 }, 8 },
        { "2 res blocks per level", new UNetConfig { Channels = 8, Groups = 2, Multipliers = [1, 2], ResBlocksPerLevel = 2,
            AttentionResolutions = [8], Height = 16, Width = 16 }, 16 },
        { "one level", new UNetConfig { Channels = 8, Groups = 4, Multipliers = [3], AttentionResolutions = [], Height = 6, Width = 6 }, 6 },
    };

    [Theory]
    [MemberData(nameof(Configurations))]
    public void OutputHasTheInputShapeAndTheAnalyticParameterCount(string name, UNetConfig config, int size)
    {
        manual_seed(1);
        using var model = new UNet(config);
        using var scope = NewDisposeScope();
        var x = randn(2, config.InChannels, size, size);
        var y = model.call(x, tensor(new long[] { 0, 999 }));
        Assert.Equal(x.shape, y.shape);
        Assert.False(y.isnan().any().item<bool>(), name);
        Assert.Equal(UNetCost.Of(config).Parameters, ParameterCount(model)); // the cost walker follows the same structure
    }

    [Fact]
    public void EveryParameterReceivesAGradient()
    {
        manual_seed(2);
        var config = new UNetConfig { InChannels = 2, Channels = 8, Groups = 4, Multipliers = [1, 2], ResBlocksPerLevel = 2,
            AttentionResolutions = [8, 4], Height = 8, Width = 8 };
        using var model = new UNet(config);
        using var scope = NewDisposeScope();
        var y = model.call(randn(3, 2, 8, 8), tensor(new long[] { 1, 50, 900 }));
        (y * randn_like(y)).sum().backward();
        foreach (var (name, p) in model.named_parameters())
        {
            Assert.True(p.grad is not null, $"{name} has no gradient");
            Assert.True(p.grad!.abs().sum().item<float>() > 0, $"{name} has a zero gradient");
        }
    }

    [Fact]
    public void GroupNormsStartAtTheIdentityAffine()
    {
        // TorchSharp's nn.GroupNorm leaves weight and bias uninitialised; every U-Net norm must start at (1, 0)
        using var model = new UNet(new UNetConfig { Channels = 8, Groups = 4, Multipliers = [1, 2], Height = 8, Width = 8,
            AttentionResolutions = [4] });
        var norms = model.named_parameters().Where(kv => kv.name.Contains("norm")).ToArray();
        Assert.NotEmpty(norms);
        foreach (var (name, p) in norms)
            Assert.Equal(name.EndsWith("weight") ? 1f : 0f, p.data<float>().ToArray().Distinct().Single());
    }

    [Theory]
    [InlineData(30, 8, new[] { 1, 2, 2 }, 28, new[] { 7 }, 0.1, "not divisible by 8 GroupNorm groups")]
    [InlineData(32, 8, new[] { 1, 2, 2 }, 30, new[] { 7 }, 0.1, "divisible by 2^(levels-1) = 4")]
    [InlineData(32, 8, new[] { 1, 2, 2 }, 28, new[] { 8 }, 0.1, "attention resolution 8")]
    [InlineData(33, 1, new[] { 1, 2 }, 28, new int[0], 0.1, "even number")]
    [InlineData(32, 8, new int[0], 28, new int[0], 0.1, "at least one level")]
    [InlineData(32, 8, new[] { 1, 0 }, 28, new int[0], 0.1, "at least 1")]
    [InlineData(32, 8, new[] { 1, 2 }, 28, new int[0], 1.0, "dropout")]
    public void InvalidConfigurationsAreConfigErrors(int ch, int groups, int[] mults, int resolution, int[] attention,
        double dropout, string message)
    {
        var config = new UNetConfig { Channels = ch, Groups = groups, Multipliers = mults, Height = resolution, Width = resolution,
            AttentionResolutions = attention, Dropout = dropout };
        var e = Assert.Throws<ConfigException>(() => new UNet(config));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void WrongInputShapeIsAClearError()
    {
        using var model = new UNet(new UNetConfig { Channels = 8, Groups = 4, Multipliers = [1, 2], Height = 8, Width = 8,
            AttentionResolutions = [] });
        using var scope = NewDisposeScope();
        var e = Assert.Throws<ConfigException>(() => model.call(randn(1, 1, 7, 8), tensor(new long[] { 3 })));
        Assert.Contains("divisible by 2", e.Message);
        Assert.Throws<ConfigException>(() => model.call(randn(1, 3, 8, 8), tensor(new long[] { 3 })));
    }
}
