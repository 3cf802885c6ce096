using GenSharp.Diffusion.Conditioning;
using GenSharp.Diffusion.Samplers;
using GenSharp.Nn;
using GenSharp.Pipelines;
using static TorchSharp.torch;

namespace GenSharp.Diffusion.Images;

/// <summary>
/// An image DDPM's sampler for the pipeline: any registered diffusion sampler (<see cref="SamplerSpec"/>) over the U-Net; for a
/// class-conditional U-Net, over the classifier-free guided prediction (<see cref="ClassifierFreeGuidance"/>), the samplers unchanged.
/// </summary>
public sealed class DdpmImageSampler : IImageSampler
{
    private readonly UNet _model;
    private readonly GaussianDiffusion _diffusion;
    private readonly SamplerSpec _spec;
    private readonly IDiffusionSampler _sampler;
    private readonly Device _device;
    private readonly bool _ownsDiffusion;
    private readonly DdpmObjective _objective;

    /// <param name="ownsDiffusion">Dispose <paramref name="diffusion"/> with this sampler.</param>
    /// <param name="guidance">Guided sampling of a conditional U-Net (required for one, refused for an unconditional one).</param>
    /// <param name="objective">What the U-Net predicts (null: epsilon); its output is turned into eps by <see cref="DdpmObjective.AsEps"/>.</param>
    public DdpmImageSampler(UNet model, GaussianDiffusion diffusion, SamplerSpec spec, Device device, bool ownsDiffusion,
        GuidedSampling? guidance = null, DdpmObjective? objective = null)
    {
        _objective = objective ?? new DdpmObjective();
        if (model.IsConditional != (guidance is not null))
            throw new ArgumentException(model.IsConditional ? "a conditional U-Net needs guided sampling"
                : "an unconditional U-Net takes no guidance");
        _model = model;
        _diffusion = diffusion;
        _spec = spec;
        _sampler = spec.Create(diffusion);
        _device = device;
        _ownsDiffusion = ownsDiffusion;
        Guidance = guidance;
    }

    /// <summary>The guided sampling of a conditional run (null when unconditional).</summary>
    public GuidedSampling? Guidance { get; }

    public string Label => Guidance is null ? _spec.Label : $"{_spec.Label}-{Guidance.Label}";

    /// <summary>Network evaluations per sample: both halves of a guided step count (w not 0 or 1).</summary>
    public int FunctionEvaluations => _spec.FunctionEvaluations(_diffusion.Timesteps) * (Guidance is { W: not (0 or 1) } ? 2 : 1);

    public object Settings => Guidance is null ? _spec
        : new { sampler = _spec, guidance = Guidance.W, @class = Guidance.Class, guidance_rescale = Guidance.Rescale };

    public SamplerResult Sample(int n, Generator generator, SamplingObserver observer)
    {
        _model.eval();
        var shape = new long[] { n, _model.Config.InChannels, _model.Config.Height, _model.Config.Width };
        if (Guidance is not { } g)
            return _sampler.Sample(_objective.AsEps((x, t) => _model.call(x, t), _diffusion.Schedule), shape, generator, _device, observer);
        var labels = g.Labels(n, generator, _device, observer.FirstSample);
        var eps = ClassifierFreeGuidance.Guide((x, t, y) => _model.Forward(x, t, y), labels, g.NullLabel, g.W, g.Rescale);
        return _sampler.Sample(eps, shape, generator, _device, observer) with { FunctionEvaluations = FunctionEvaluations, Labels = labels };
    }

    public (string Header, string[] Values) LabelColumn(Tensor labels) =>
        Guidance?.Text is { } tokens ? ("text", tokens.Decode(labels)) : IImageSampler.ClassColumn(labels);

    public void Dispose()
    {
        if (_ownsDiffusion) _diffusion.Dispose();
    }
}
