using GenSharp.Diffusion.Samplers;
using GenSharp.Nn;
using GenSharp.Pipelines;
using static TorchSharp.torch;

namespace GenSharp.Diffusion.Images;

/// <summary>An image DDPM's sampler for the pipeline: any registered diffusion sampler (<see cref="SamplerSpec"/>) over the U-Net.</summary>
public sealed class DdpmImageSampler : IImageSampler
{
    private readonly UNet _model;
    private readonly GaussianDiffusion _diffusion;
    private readonly SamplerSpec _spec;
    private readonly IDiffusionSampler _sampler;
    private readonly Device _device;
    private readonly bool _ownsDiffusion;

    /// <param name="ownsDiffusion">Dispose <paramref name="diffusion"/> with this sampler.</param>
    public DdpmImageSampler(UNet model, GaussianDiffusion diffusion, SamplerSpec spec, Device device, bool ownsDiffusion)
    {
        _model = model;
        _diffusion = diffusion;
        _spec = spec;
        _sampler = spec.Create(diffusion);
        _device = device;
        _ownsDiffusion = ownsDiffusion;
    }

    public string Label => _spec.Label;
    public int FunctionEvaluations => _spec.FunctionEvaluations(_diffusion.Timesteps);
    public object Settings => _spec;

    public SamplerResult Sample(int n, Generator generator, SamplingObserver observer)
    {
        _model.eval();
        var shape = new long[] { n, _model.Config.InChannels, _model.Config.Resolution, _model.Config.Resolution };
        return _sampler.Sample((x, t) => _model.call(x, t), shape, generator, _device, observer);
    }

    public void Dispose()
    {
        if (_ownsDiffusion) _diffusion.Dispose();
    }
}
