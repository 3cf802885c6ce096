using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Diffusion;

/// <summary>
/// EDM's preconditioning and training noise distribution (Karras et al. 2022, "Elucidating the design space of diffusion-based
/// generative models", Table 1, column "Ours"), for a network trained with <c>--prediction edm</c> (docs/ddpm.md#objective).
///
/// EDM's state is y = x_0 + sigma n (n ~ N(0, I)); a VP DDPM state is x_t = sqrt(abar_t) y with sigma_t = sqrt((1 - abar_t) / abar_t).
/// The network F_theta is wrapped into the denoiser D(y; sigma) = c_skip y + c_out F_theta(c_in y, c_noise) with
///   c_skip = sigma_d^2 / (sigma^2 + sigma_d^2),  c_out = sigma sigma_d / sqrt(sigma^2 + sigma_d^2),  c_in = 1 / sqrt(sigma^2 + sigma_d^2),
/// sigma_d = 0.5 (the data's standard deviation, for images in [-1, 1]) and c_noise = ln(sigma) / 4, which the network's sinusoidal
/// time embedding takes scaled by 1000 (the range it was built for: DDPM's integer timesteps 0..999), i.e. 250 ln(sigma).
/// Training draws ln(sigma) ~ N(P_mean = -1.2, P_std = 1.2) and minimises lambda(sigma) ||D(y; sigma) - x_0||^2 with
/// lambda = 1 / c_out^2, which is the plain mean squared error of F against its target (x_0 - c_skip y) / c_out: every noise
/// level has unit effective weight. Every sampler takes the noise prediction eps = (y - D) / sigma, computed without dividing by
/// sigma: eps = y sigma / (sigma^2 + sigma_d^2) - F sigma_d / sqrt(sigma^2 + sigma_d^2).
/// </summary>
public static class EdmPreconditioning
{
    public const double SigmaData = 0.5;
    public const double PMean = -1.2;
    public const double PStd = 1.2;

    /// <summary>The network's time input for noise levels <paramref name="sigma"/> (B): 1000 c_noise = 250 ln(sigma), float32.</summary>
    public static Tensor NoiseLabel(Tensor sigma) => (sigma.to_type(ScalarType.Float64).log() * 250).to_type(ScalarType.Float32);

    /// <summary>EDM's sigma of the VP timesteps <paramref name="t"/>: sqrt((1 - abar_t) / abar_t), float64, shape (B).</summary>
    public static Tensor Sigma(NoiseSchedule schedule, Tensor t)
    {
        var abar = schedule.AlphaBarsT.index_select(0, t).to_type(ScalarType.Float64);
        return ((1 - abar) / abar).sqrt();
    }

    /// <summary>The noise prediction eps(x_t, t) of the preconditioned network <paramref name="network"/>(input, noise label).</summary>
    public static Func<Tensor, Tensor, Tensor> AsEps(Func<Tensor, Tensor, Tensor> network, NoiseSchedule schedule) => (x, t) =>
    {
        using var scope = NewDisposeScope();
        var sigma = Sigma(schedule, t);                                               // (B) float64
        var s = Broadcast(sigma, x);
        var total = s.square() + SigmaData * SigmaData;
        var y = x.to_type(ScalarType.Float64) * (1 + s.square()).sqrt();              // y = x_t / sqrt(abar_t)
        var f = network((y / total.sqrt()).to_type(x.dtype), NoiseLabel(sigma)).to_type(ScalarType.Float64);
        var eps = y * s / total - f * SigmaData / total.sqrt();
        return eps.to_type(x.dtype).MoveToOuterDisposeScope();
    };

    /// <summary>
    /// The EDM training loss of a batch <paramref name="x0"/>: ln(sigma) ~ N(P_mean, P_std^2), then n, drawn from
    /// <paramref name="generator"/> in that order; the mean over the batch of ||F - (x_0 - c_skip y) / c_out||^2 / dim.
    /// </summary>
    public static Tensor Loss(Func<Tensor, Tensor, Tensor> network, Tensor x0, Generator generator)
    {
        using var scope = NewDisposeScope();
        long batch = x0.shape[0];
        var sigma = (randn([batch], dtype: ScalarType.Float64, device: x0.device, generator: generator) * PStd + PMean).exp();
        var n = randn(x0.shape, dtype: x0.dtype, device: x0.device, generator: generator);
        var s = Broadcast(sigma, x0);
        var total = s.square() + SigmaData * SigmaData;
        var y = x0.to_type(ScalarType.Float64) + s * n.to_type(ScalarType.Float64);
        var cSkip = SigmaData * SigmaData / total;
        var cOut = s * SigmaData / total.sqrt();
        var target = ((x0.to_type(ScalarType.Float64) - cSkip * y) / cOut).to_type(ScalarType.Float32);
        var f = network((y / total.sqrt()).to_type(x0.dtype), NoiseLabel(sigma)).to_type(ScalarType.Float32);
        return (f - target).square().mean().MoveToOuterDisposeScope();
    }

    /// <summary>(B) values shaped (B, 1, 1, ...) to broadcast against <paramref name="x"/>.</summary>
    private static Tensor Broadcast(Tensor values, Tensor x) => values.reshape([x.shape[0], .. Enumerable.Repeat(1L, (int)x.dim() - 1)]);
}
