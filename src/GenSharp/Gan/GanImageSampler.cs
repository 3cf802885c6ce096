using System.Diagnostics;
using GenSharp.Diffusion.Samplers;
using GenSharp.Pipelines;
using static TorchSharp.torch;

namespace GenSharp.Gan;

/// <summary>A GAN's sampler for the pipeline: one generator call G(z), z ~ N(0, I), in eval mode (the training mode is restored).</summary>
public sealed class GanImageSampler(PixelShuffleGenerator generator, Device device) : IImageSampler
{
    /// <summary>Images per generator call (as the GAN has always drawn them, so a seed gives the same images).</summary>
    public const int Batch = 500;

    public string Label => "generator";
    public int FunctionEvaluations => 1;
    public object Settings => new Dictionary<string, object?> { ["name"] = "generator", ["z_dim"] = generator.Config.ZDim };

    public SamplerResult Sample(int n, Generator rng, SamplingObserver observer)
    {
        var clock = Stopwatch.StartNew();
        bool wasTraining = generator.training;
        generator.eval();
        using (no_grad())
        using (var scope = NewDisposeScope())
        {
            var images = generator.call(randn([n, generator.Config.ZDim], generator: rng, device: device)).cpu().MoveToOuterDisposeScope();
            if (wasTraining) generator.train();
            return new SamplerResult(images, 1, clock.Elapsed.TotalSeconds, new Dictionary<int, Tensor>());
        }
    }

    public void Dispose() { }
}
