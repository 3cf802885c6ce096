using System.Diagnostics;
using GenSharp.Diffusion.Samplers;
using GenSharp.Pipelines;
using static TorchSharp.torch;

namespace GenSharp.Latent;

/// <summary>
/// A latent sampler followed by the autoencoder's decoder (docs/latent-diffusion.md#sampling): images in [-1, 1] for the pipeline's grids,
/// sample folders and scores. Its label, evaluations, settings and the labels of a class-conditional draw are the latent sampler's; the
/// time includes decoding. Owns the latent sampler, and the autoencoder unless <paramref name="ownsAutoencoder"/> is false (one autoencoder
/// shared by the samplers of a conditional evaluation, one per class and guidance weight).
/// </summary>
internal sealed class DecodedSampler(IImageSampler latent, LatentAutoencoder autoencoder, bool ownsAutoencoder = true) : IImageSampler
{
    public string Label => latent.Label;
    public int FunctionEvaluations => latent.FunctionEvaluations;
    public object Settings => latent.Settings;

    public SamplerResult Sample(int n, Generator generator, SamplingObserver observer)
    {
        var clock = Stopwatch.StartNew();
        var result = latent.Sample(n, generator, observer);
        using var z = result.Samples;
        return result with { Samples = autoencoder.Decode(z), Seconds = clock.Elapsed.TotalSeconds };
    }

    public (string Header, string[] Values) LabelColumn(Tensor labels) => latent.LabelColumn(labels);

    public void Dispose()
    {
        latent.Dispose();
        if (ownsAutoencoder) autoencoder.Dispose();
    }
}
