using GenSharp.Data;
using GenSharp.Diffusion;
using GenSharp.Diffusion.Images;
using GenSharp.Diffusion.Samplers;
using GenSharp.Latent;
using GenSharp.Nn;
using GenSharp.Vae;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Latent;

/// <summary>
/// Latent diffusion's autoencoder (docs/latent-diffusion.md#autoencoder): encoding is the posterior mean, so encoding twice gives the same
/// latents bit for bit; f = 1 / std of the training latents makes their variance exactly 1; decoded LDM samples are images in [-1, 1].
/// </summary>
[Collection(GlobalRngCollection.Name)]
public sealed class LatentAutoencoderTests
{
    private static VariationalAutoencoder Vae(int seed)
    {
        manual_seed(seed);
        var vae = new VariationalAutoencoder(new VaeNetworkConfig(Width: 16, LatentChannels: 4, FlatDim: 0));
        vae.eval();
        return vae;
    }

    private static ImageDataset Images(int n) =>
        new("random", rand([n, 1, 28, 28], generator: new Generator(3, CPU)) * 2 - 1, null, [], PixelRange.MinusOneToOne, "hash");

    [Fact]
    public void EncodingTwiceGivesIdenticalLatentsAndTheScaleFactorMakesTheirVarianceOne()
    {
        using var scope = NewDisposeScope();
        using var images = Images(1500); // two encoder batches of 1000 and 500
        using var unscaled = new LatentAutoencoder(Vae(1), 1);
        using var first = unscaled.EncodeAll(images);
        using var second = unscaled.EncodeAll(images);
        Assert.Equal([1500L, 4, 7, 7], first.Images.shape);
        Assert.True(first.Images.eq(second.Images).all().item<bool>(), "the posterior mean is deterministic");

        double f = LatentAutoencoder.MeasureScale(first.Images);
        double rawStd = first.Images.to_type(ScalarType.Float64).std().item<double>();
        Assert.Equal(1 / rawStd, f, 12);
        using var scaled = new LatentAutoencoder(Vae(1), f);
        using var latents = scaled.EncodeAll(images);
        double variance = latents.Images.to_type(ScalarType.Float64).var().item<double>();
        Assert.Equal(1.0, variance, 5); // float32 products f * mu: relative error ~1e-7 per element
        Assert.True(allclose(latents.Images, first.Images * f, rtol: 1e-6, atol: 0), "scaled latents are f times the posterior means");
    }

    [Fact]
    public void DecodingUndoesTheScaleFactor()
    {
        using var scope = NewDisposeScope();
        using var a = new LatentAutoencoder(Vae(2), 1);
        using var b = new LatentAutoencoder(Vae(2), 0.25);
        var z = randn([8, 4, 7, 7], generator: new Generator(4, CPU));
        Assert.True(allclose(a.Decode(z), b.Decode(z * 0.25), rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void DecodedLdmSamplesAreImagesInTheDataRange()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var unet = new UNet(new UNetConfig { InChannels = 4, Channels = 16, Multipliers = [1], AttentionResolutions = [], Height = 7,
            Width = 7 });
        unet.eval();
        var latent = new DdpmImageSampler(unet, new GaussianDiffusion(new NoiseSchedule(new NoiseScheduleConfig(Timesteps: 50))),
            new SamplerSpec("ddim", 5, ClipX0: false), CPU, ownsDiffusion: true);
        using var sampler = new DecodedSampler(latent, new LatentAutoencoder(Vae(6), 0.05)); // a small f: latents / f are large
        using var g = new Generator(7, CPU);
        var result = sampler.Sample(16, g, new SamplingObserver());
        Assert.Equal([16L, 1, 28, 28], result.Samples.shape);
        Assert.Equal(5, result.FunctionEvaluations);
        Assert.True(result.Samples.isfinite().all().item<bool>());
        Assert.InRange(result.Samples.min().item<float>(), -1f, 1f);
        Assert.InRange(result.Samples.max().item<float>(), -1f, 1f);
        Assert.True(result.Samples.std().item<float>() > 0, "decoded samples are not constant");
    }
}
