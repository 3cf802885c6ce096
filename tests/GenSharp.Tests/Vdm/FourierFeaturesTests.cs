using System.Text.Json.Nodes;
using GenSharp.Nn;
using GenSharp.Training;
using GenSharp.Vdm;
using static TorchSharp.torch;

namespace GenSharp.Tests.Vdm;

/// <summary>VDM's Fourier features of the input (docs/vdm.md#fourier-features): the closed form, the network's shapes, config.json.</summary>
public sealed class FourierFeaturesTests
{
    [Fact]
    public void FeaturesAreSinAndCosOfPowersOfTwoTimesPiZInBlocksOfTheDataChannels()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var z = rand(2, 3, 4, 4) * 2.4 - 1.2;                          // (B, C, H, W) latents, a little wider than [-1, 1]
        var features = FourierFeatures.Of(z);
        Assert.Equal(12, FourierFeatures.Channels(3));                   // 2 functions x 2 exponents x 3 channels
        Assert.Equal(new long[] { 2, 12, 4, 4 }, features.shape);
        var zs = z.data<float>().ToArray();
        var fs = features.data<float>().ToArray();
        for (int b = 0; b < 2; b++)
        for (int block = 0; block < 4; block++)                          // sin k=7, cos k=7, sin k=8, cos k=8
        for (int c = 0; c < 3; c++)
        for (int p = 0; p < 16; p++)
        {
            double angle = Math.Pow(2, FourierFeatures.Exponents[block / 2]) * Math.PI * zs[(b * 3 + c) * 16 + p];
            double expected = block % 2 == 0 ? Math.Sin(angle) : Math.Cos(angle);
            Assert.Equal(expected, fs[(b * 12 + block * 3 + c) * 16 + p], 5e-4); // float32 arguments up to 2^8 pi 1.2 ~ 965
        }
    }

    [Fact]
    public void OnTheGridOfAPixelBinTheFeaturesMeasureTheOffsetWithinTheBin()
    {
        // z = 2m/256 - 1 + d: sin(2^8 pi z) = sin(2 pi m - 256 pi + 2^8 pi d) = sin(2^8 pi d) for every level m
        using var scope = NewDisposeScope();
        var levels = arange(0, 256, dtype: ScalarType.Float64) * (2.0 / 256) - 1;
        var z = (levels + 0.001).reshape(1, 1, 16, 16).to_type(ScalarType.Float32);
        var sin8 = FourierFeatures.Of(z)[0, 2].to_type(ScalarType.Float64);
        Assert.True(allclose(sin8, full_like(sin8, Math.Sin(256 * Math.PI * 0.001)), rtol: 0, atol: 1e-4));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void TheNetworkReadsTheFeaturesAndStillPredictsTheDataChannels(int channels)
    {
        using var scope = NewDisposeScope();
        var unet = new UNetConfig { InChannels = channels, Channels = 8, Multipliers = [1, 2], AttentionResolutions = [], Height = 8, Width = 8 };
        using var plain = new VdmNetwork(unet, new LogSnrScheduleConfig());
        using var fourier = new VdmNetwork(unet, new LogSnrScheduleConfig(), fourierFeatures: true);
        var z = randn(2, channels, 8, 8);
        var gamma = tensor(new float[] { -5, 2 });
        Assert.Equal(z.shape, fourier.call(z, gamma).shape);
        Assert.Equal(z.shape, plain.call(z, gamma).shape);
        Assert.Equal(5 * channels, fourier.UNet.InputChannels);          // C data + 4C feature channels in conv_in
        long extra = fourier.parameters().Sum(p => p.numel()) - plain.parameters().Sum(p => p.numel());
        Assert.Equal(4 * channels * 8 * 3 * 3, extra);                   // only conv_in's weight grows: 4C x ch x 3 x 3
    }

    [Fact]
    public void TheOptionSurvivesConfigJsonAndOldConfigsLoadWithoutIt()
    {
        var root = TestTemp.Directory("gensharp-vdm-fourier").FullName;
        var run = RunDirectory.Create(Path.Combine(root, "run"));
        RunConfigFile.Write(run, new VdmConfig { FourierFeatures = true, SamplingSteps = 7 });
        var read = RunConfigFile.Read<VdmConfig>(run);
        Assert.True(read.FourierFeatures);
        Assert.Equal(7, read.SamplingSteps);

        var old = JsonNode.Parse(File.ReadAllText(run.ConfigPath))!.AsObject();   // a config.json written before the option
        Assert.True(old.Remove("fourier_features"));
        File.WriteAllText(run.ConfigPath, old.ToJsonString());
        Assert.False(RunConfigFile.Read<VdmConfig>(run).FourierFeatures);
    }
}
