using System.Text.Json;
using GenSharp.Diffusion;
using GenSharp.Diffusion.Images;
using GenSharp.Diffusion.Samplers;
using GenSharp.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Nn;

/// <summary>
/// Non-square images in the U-Net (docs/captcha.md#size): a height and a width in <see cref="UNetConfig"/>, read from older square
/// config.json files as well, used by the network, the cost walker and the samplers' noise shape.
/// </summary>
public sealed class UNetNonSquareTests
{
    private static readonly UNetConfig Captcha = new()
    {
        Channels = 8, Groups = 4, Multipliers = [1, 2, 2], AttentionResolutions = [8], Height = 32, Width = 96, Dropout = 0,
    };

    [Fact]
    public void A32x96ForwardKeepsTheShapeAndTheSquareNetworksParameters()
    {
        manual_seed(4);
        using var wide = new UNet(Captcha);
        using var square = new UNet(Captcha with { Width = 32 });
        using var scope = NewDisposeScope();
        var x = randn(2, 1, 32, 96);
        var y = wide.call(x, tensor(new long[] { 3, 700 }));
        Assert.Equal([2L, 1, 32, 96], y.shape);
        Assert.True(y.isfinite().all().item<bool>());
        // the width changes no parameter: the same state dict, and the analytic count follows it
        Assert.Equal(square.state_dict().Keys, wide.state_dict().Keys);
        Assert.Equal(UNetCost.Of(Captcha).Parameters, wide.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void TheCostGrowsLinearlyWithTheWidthInConvolutionsAndQuadraticallyInAttention()
    {
        // F(a) = L + a C + a^2 A for width 32 a: L the Linear layers (unchanged), C the convolutions (per pixel), A the middle
        // attention (4 N^2 C at 8 x 8a, C = 16). The second difference F(3) - 2 F(2) + F(1) = 2 A isolates the attention.
        var plain = Captcha with { AttentionResolutions = [] };
        double F(int a) => UNetCost.Of(plain with { Width = 32 * a }).ForwardFlopsPerSample;
        double attention = 4.0 * 64 * 64 * 16;
        Assert.Equal(2 * attention, F(3) - 2 * F(2) + F(1), 6);
        Assert.Equal(0, F(4) - 3 * F(3) + 3 * F(2) - F(1), 6); // no cubic term
    }

    [Fact]
    public void AnOldSquareConfigWithOneResolutionStillLoadsAndNewConfigsWriteBothSides()
    {
        const string old = """{ "in_channels": 1, "channels": 32, "multipliers": [1, 2, 2], "attention_resolutions": [7], "resolution": 28 }""";
        var read = JsonSerializer.Deserialize<UNetConfig>(old, JsonDefaults.Options)!.Validate();
        Assert.Equal((28, 28), (read.Height, read.Width));
        Assert.Equal(new UNetConfig().Height, read.Height);

        string written = JsonSerializer.Serialize(Captcha, JsonDefaults.Options);
        using var doc = JsonDocument.Parse(written);
        Assert.Equal(32, doc.RootElement.GetProperty("height").GetInt32());
        Assert.Equal(96, doc.RootElement.GetProperty("width").GetInt32());
        Assert.False(doc.RootElement.TryGetProperty("resolution", out _));
        var back = JsonSerializer.Deserialize<UNetConfig>(written, JsonDefaults.Options)!;
        Assert.Equal((32, 96), (back.Height, back.Width));
    }

    [Fact]
    public void AWidthThatTheLevelsCannotHalveIsAConfigError()
    {
        var e = Assert.Throws<ConfigException>(() => (Captcha with { Width = 90 }).Validate());
        Assert.Contains("width 90", e.Message);
    }

    [Theory]
    [InlineData("ddpm")]
    [InlineData("ddim")]
    [InlineData("dpmpp")]
    public void EverySamplerDrawsNoiseOfTheNetworksHeightAndWidth(string name)
    {
        manual_seed(6);
        using var unet = new UNet(Captcha with { AttentionResolutions = [] });
        using var sampler = new DdpmImageSampler(unet, new GaussianDiffusion(new NoiseSchedule(new NoiseScheduleConfig(Timesteps: 20))),
            new SamplerSpec(name, name == "ddpm" ? null : 4).Validate(20), CPU, ownsDiffusion: true);
        using var g = new Generator(1, CPU);
        using var scope = NewDisposeScope();
        var result = sampler.Sample(2, g, new SamplingObserver());
        Assert.Equal([2L, 1, 32, 96], result.Samples.shape);
        Assert.True(result.Samples.isfinite().all().item<bool>());
    }
}
