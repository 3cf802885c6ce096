using System.Diagnostics;
using GenSharp.Diffusion.Samplers;
using GenSharp.Pipelines;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Diffusion.EarlyStop;

/// <summary>
/// Early-stopped DDPM (Lyu et al. 2022, "Accelerating Diffusion Models via Early Stop of the Diffusion Process"; docs/latent-diffusion.md#es-ddpm).
///
/// Notation: a fast generator p_g (a VAE's decoder, a GAN) and a DDPM eps_theta trained on the same images, T0 in 1..T:
///   1. x_0' ~ p_g                                          (one call of the generator's network)
///   2. x_T0 = sqrt(abar_T0) x_0' + sqrt(1 - abar_T0) z,   z ~ N(0, I)   (q(x_T0 | x_0), the forward process)
///   3. x_0 = the reverse chain from x_T0: the last T0 ancestral steps, or DDIM / DPM-Solver++ on the table truncated at T0.
/// Index T0-1 of <see cref="NoiseSchedule"/> is the paper's step T0. With exact data samples as x_0' and the exact model the chain returns the
/// data distribution (q(x_T0) is what the chain was built to reverse); with T0 = T and the same random numbers it is the full DDPM run from
/// that x_T. Random numbers come from one generator in this order: the generator's own draw, z, then the chain's noise.
/// </summary>
public sealed class EarlyStoppedSampler : IImageSampler
{
    private readonly IImageSampler _start;
    private readonly Func<Tensor, Tensor, Tensor> _eps;
    private readonly GaussianDiffusion _diffusion;
    private readonly IDiffusionSampler _chain;
    private readonly SamplerSpec _spec;
    private readonly long[] _imageShape;
    private readonly Device _device;

    /// <param name="start">The fast generator's sampler (images in [-1, 1]); not disposed here.</param>
    /// <param name="eps">The DDPM's noise predictor eps_theta(x_t, t).</param>
    /// <param name="imageShape">(C, H, W) of the DDPM's images: a start sample of another shape is refused.</param>
    public EarlyStoppedSampler(IImageSampler start, Func<Tensor, Tensor, Tensor> eps, GaussianDiffusion diffusion, SamplerSpec spec, int t0,
        long[] imageShape, Device device)
    {
        T0 = TimestepTable.Start(diffusion.Timesteps, t0);
        if (spec.Name == "ddim" && spec.Steps > t0)
            throw new ConfigException($"--steps {spec.Steps}: DDIM on the table truncated at --t0 {t0} has at most {t0} steps; use fewer");
        _start = start;
        _eps = eps;
        _diffusion = diffusion;
        _spec = spec;
        _chain = spec.Create(diffusion, t0);
        _imageShape = imageShape;
        _device = device;
    }

    /// <summary>T0, the step the chain starts from.</summary>
    public int T0 { get; }

    public string Label => $"es-{_start.Label}-t0{T0}-{_spec.Label}";

    /// <summary>The DDPM's network evaluations per sample (the generator's one call of its own network is not counted).</summary>
    public int FunctionEvaluations => _chain.FunctionEvaluations;

    public object Settings => new Dictionary<string, object?>
    {
        ["name"] = "es-ddpm", ["t0"] = T0, ["sampler"] = _spec, ["chain"] = _chain.Name, ["start"] = _start.Label,
        ["start_settings"] = _start.Settings,
    };

    public SamplerResult Sample(int n, Generator generator, SamplingObserver observer)
    {
        var clock = Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        var drawn = _start.Sample(n, generator, new SamplingObserver());
        var x0 = drawn.Samples.to(_device);                                                       // (n, C, H, W) in [-1, 1]
        CheckStart(x0);
        var t = full([n], T0 - 1, dtype: ScalarType.Int64, device: _device);
        var z = randn(x0.shape, dtype: ScalarType.Float32, device: _device, generator: generator);
        var xT0 = _diffusion.QSample(x0, t, z);                                                    // step 2: q(x_T0 | x_0)
        var result = _chain.SampleFrom(_eps, xT0, generator, observer);                            // step 3
        var samples = result.Samples.MoveToOuterDisposeScope();
        return result with { Samples = samples, Seconds = clock.Elapsed.TotalSeconds };
    }

    /// <summary>Refuses a start sample whose shape or pixel range is not the DDPM's (C, H, W) in [-1, 1].</summary>
    private void CheckStart(Tensor x0)
    {
        if (!x0.shape.Skip(1).SequenceEqual(_imageShape))
            throw new ConfigException($"--start-from: its images are {string.Join("x", x0.shape.Skip(1))} but the DDPM's are " +
                $"{string.Join("x", _imageShape)}; use a generator trained on the same images");
        double lo = x0.min().item<float>(), hi = x0.max().item<float>();
        const double Slack = 1e-4;
        if (lo < -1 - Slack || hi > 1 + Slack)
            throw new ConfigException($"--start-from: its samples span [{lo:G4}, {hi:G4}], not the DDPM's pixel range [-1, 1]; use a generator " +
                "whose images are in [-1, 1]");
    }

    /// <summary>Nothing to release: the generator's sampler, the network and the diffusion belong to the caller.</summary>
    public void Dispose() { }
}
