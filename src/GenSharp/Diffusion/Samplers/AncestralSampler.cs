using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Diffusion.Samplers;

/// <summary>
/// Ancestral DDPM sampling (Ho et al., Algorithm 2; docs/samplers.md#ancestral).
///
/// Notation: x_T ~ N(0, I); for t = T..1:
///   x_{t-1} = mu_theta(x_t, t) + sigma_t z,  z ~ N(0, I),
///   mu_theta = 1/sqrt(alpha_t) (x_t - beta_t / sqrt(1 - abar_t) eps_theta(x_t, t)),
///   sigma_t^2 = beta_t or beta_tilde_t,
/// and NO noise at the last step (t = 1, index 0): x_0 = mu_theta(x_1, 1). Adding noise there would
/// only blur the result by sqrt(beta_1) and is not part of the model's decoder.
/// With <see cref="AncestralSamplerConfig.ClipX0"/> the mean is the posterior mean
/// mu_tilde(x_t, clip(x0_hat, -1, 1)) (Ho et al.'s code), which equals mu_theta when nothing is clipped.
/// One dispose scope per step; the previous x_t is disposed as soon as x_{t-1} exists.
/// With a start T0 &lt; T (early-stopped DDPM, docs/latent-diffusion.md#es-ddpm) the chain is the same from x_T0 (index T0-1) down.
/// </summary>
public sealed class AncestralSampler : IDiffusionSampler
{
    private readonly GaussianDiffusion _diffusion;
    private readonly AncestralSamplerConfig _config;

    /// <param name="start">T0: walk only the last T0 reverse steps, from x_T0 (null: all T).</param>
    public AncestralSampler(GaussianDiffusion diffusion, AncestralSamplerConfig? config = null, int? start = null)
    {
        _diffusion = diffusion;
        _config = (config ?? new AncestralSamplerConfig()).Validate();
        Table = TimestepTable.Full(TimestepTable.Start(diffusion.Timesteps, start));
    }

    public string Name => $"ddpm ({Table.TrainSteps} steps, sigma^2 = {_config.Variance}{(_config.ClipX0 ? ", x0 clipped" : "")})";

    public TimestepTable Table { get; }

    public int FunctionEvaluations => Table.TrainSteps;

    /// <summary>Runs the reverse chain (all T steps, or the last T0) from N(0, I) noise drawn from <paramref name="generator"/>.</summary>
    public SamplerResult Sample(Func<Tensor, Tensor, Tensor> epsModel, long[] shape, Generator generator, Device device,
        SamplingObserver? observer = null)
    {
        using var xT = randn(shape, dtype: ScalarType.Float32, device: device, generator: generator);
        return SampleFrom(epsModel, xT, generator, observer);
    }

    public SamplerResult SampleFrom(Func<Tensor, Tensor, Tensor> epsModel, Tensor xT, Generator? generator, SamplingObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(generator, nameof(generator)); // ancestral sampling always draws noise
        using var noGrad = no_grad();
        var clock = Stopwatch.StartNew();
        var schedule = _diffusion.Schedule;
        int T = Table.TrainSteps; // T, or T0 for an early-stopped chain
        var shape = xT.shape;
        var device = xT.device;
        var sigmaTable = _config.Variance == "beta" ? schedule.BetasT : schedule.PosteriorVarianceT;
        var trajectory = new Dictionary<int, Tensor>();
        var x = xT.clone().DetachFromDisposeScope(); // the caller keeps xT
        for (int i = T - 1; i >= 0; i--)
        {
            if (observer?.ShouldRecord(i) == true) trajectory[i] = x.clone().DetachFromDisposeScope();
            using var scope = NewDisposeScope();
            var t = full([shape[0]], i, dtype: ScalarType.Int64, device: device);
            var eps = epsModel(x, t);
            var mean = _config.ClipX0
                ? _diffusion.QPosterior(_diffusion.PredictX0FromEps(x, t, eps).clamp(-1, 1), x, t).Mean
                : _diffusion.PMeanFromEps(x, t, eps);
            Tensor next;
            if (i > 0)
            {
                var sigma = NoiseSchedule.Gather(sigmaTable, t, x.shape).sqrt();
                next = mean + sigma * randn(shape, dtype: ScalarType.Float32, device: device, generator: generator);
            }
            else
            {
                next = mean; // no noise at the last step
            }
            next.MoveToOuterDisposeScope();
            x.Dispose();
            x = next;
            observer?.Step(T - i, T);
        }
        return new SamplerResult(x, T, clock.Elapsed.TotalSeconds, trajectory);
    }
}
