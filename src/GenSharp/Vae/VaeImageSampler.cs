using System.Diagnostics;
using GenSharp.Diffusion.Samplers;
using GenSharp.Pipelines;
using static TorchSharp.torch;

namespace GenSharp.Vae;

/// <summary>A VAE's sampler for the pipeline: decoded prior samples z ~ N(0, I) (<see cref="VariationalAutoencoder.Sample"/>).</summary>
public sealed class VaeImageSampler(VariationalAutoencoder vae, Device device) : IImageSampler
{
    public string Label => "decoder";
    public int FunctionEvaluations => 1;
    public object Settings => new Dictionary<string, object?> { ["name"] = "prior-decoder" };

    public SamplerResult Sample(int n, Generator rng, SamplingObserver observer)
    {
        var clock = Stopwatch.StartNew();
        vae.eval();
        using var samples = vae.Sample(n, rng, device);
        return new SamplerResult(samples.cpu(), 1, clock.Elapsed.TotalSeconds, new Dictionary<int, Tensor>());
    }

    public void Dispose() { }
}
