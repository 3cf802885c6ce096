using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Vdm;

/// <summary>The bound's terms for a batch, per example (B), in nats: diffusion (L_inf or L_T), prior, reconstruction.</summary>
public sealed record VdmBatchTerms(Tensor Diffusion, Tensor Prior, Tensor Reconstruction) : IDisposable
{
    /// <summary>The whole bound per example (B).</summary>
    public Tensor Total() => Diffusion.to_type(ScalarType.Float64) + Prior.to_type(ScalarType.Float64) + Reconstruction.to_type(ScalarType.Float64);

    public void Dispose()
    {
        Diffusion.Dispose();
        Prior.Dispose();
        Reconstruction.Dispose();
    }
}

/// <summary>
/// The variational bound of a VDM on a batch (docs/vdm.md#bound, <see cref="VdmTerms"/>): noise predictor eps_hat(z_t, gamma_t) and
/// schedule gamma, times from <see cref="LowDiscrepancyTimes"/>, one eps for the diffusion term and one for z_0 per example.
/// <paramref name="discretised"/>: 8-bit pixels (the discretised decoder) or continuous data (the Gaussian density).
/// </summary>
public sealed class VdmObjective(LogSnrSchedule schedule, Func<Tensor, Tensor, Tensor> epsModel, bool discretised = true)
{
    /// <summary>
    /// The terms at times <paramref name="t"/> (B) in [0, 1] with noises <paramref name="eps"/> and <paramref name="eps0"/> like x; with
    /// <paramref name="steps"/> T &gt; 0 the diffusion term is L_T at the grid time t(i) = i/T, i = floor(t T) + 1, otherwise L_inf at t.
    /// </summary>
    public VdmBatchTerms Terms(Tensor x, Tensor t, Tensor eps, Tensor eps0, int steps = 0)
    {
        using var scope = NewDisposeScope();
        var ends = schedule.Gamma(tensor(new float[] { 0f, 1f }, device: x.device));
        Tensor diffusion;
        if (steps > 0)
        {
            var i = (t * steps).floor().clamp_max(steps - 1) + 1;                 // i ~ U{1..T} for t ~ U[0, 1)
            var gammaT = schedule.Gamma(i / steps);
            var gammaS = schedule.Gamma((i - 1) / steps);
            diffusion = VdmTerms.DiscreteDiffusion(eps, epsModel(LogSnr.Noised(x, gammaT, eps), gammaT), gammaS, gammaT, steps);
        }
        else
        {
            var gammaT = schedule.Gamma(t);
            diffusion = VdmTerms.ContinuousDiffusion(eps, epsModel(LogSnr.Noised(x, gammaT, eps), gammaT), schedule.Derivative(t));
        }
        var prior = VdmTerms.Prior(x, ends[1]);
        var z0 = LogSnr.Alpha(ends[0]) * x + LogSnr.Sigma(ends[0]) * eps0;
        var reconstruction = discretised ? VdmTerms.DiscretisedReconstruction(x, z0, ends[0]) : VdmTerms.GaussianReconstruction(x, z0, ends[0]);
        var result = new VdmBatchTerms(diffusion, prior, reconstruction);
        diffusion.MoveToOuterDisposeScope();
        prior.MoveToOuterDisposeScope();
        reconstruction.MoveToOuterDisposeScope();
        return result;
    }

    /// <summary>The terms with low-discrepancy times and all noise drawn from <paramref name="rng"/>.</summary>
    public VdmBatchTerms Terms(Tensor x, Generator rng, int steps = 0)
    {
        using var scope = NewDisposeScope();
        var t = LowDiscrepancyTimes.Draw(x.shape[0], rng, x.device);
        var eps = Noise(x, rng);
        var eps0 = Noise(x, rng);
        var result = Terms(x, t, eps, eps0, steps);
        result.Diffusion.MoveToOuterDisposeScope();
        result.Prior.MoveToOuterDisposeScope();
        result.Reconstruction.MoveToOuterDisposeScope();
        return result;
    }

    /// <summary>The training loss: the bound averaged over the batch, in bits per dimension.</summary>
    public Tensor BitsPerDim(Tensor x, Generator rng)
    {
        using var scope = NewDisposeScope();
        using var terms = Terms(x, rng);
        double dims = x.numel() / (double)x.shape[0];
        var total = terms.Diffusion + terms.Prior + terms.Reconstruction.to_type(terms.Diffusion.dtype);
        return (total.mean() / (dims * Math.Log(2))).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The training loss of a learned schedule with the variance-minimising gradient (Kingma et al. 2021, appendix I.2;
    /// docs/vdm.md#invariance). Its value is <see cref="BitsPerDim"/>'s; the network's parameters get the gradient of the bound, the
    /// schedule's the gradient of the bound's endpoint terms plus that of E[l^2] for the one-sample diffusion term l (bits/dim), which
    /// (E[l] not depending on the schedule's interior) is the gradient of its variance:
    ///   d E[l^2] / d eta = E[2 l (dl/dgamma_t dgamma_t/d eta + l / gamma'_t dgamma'_t/d eta)],
    /// with dl/dgamma_t per example by one extra backward pass through the network (autograd.grad at a detached copy of gamma_t).
    /// </summary>
    public Tensor BitsPerDimWithVarianceGradient(Tensor x, Generator rng)
    {
        using var scope = NewDisposeScope();
        var t = LowDiscrepancyTimes.Draw(x.shape[0], rng, x.device);
        var eps = Noise(x, rng);
        var eps0 = Noise(x, rng);
        double toBits = 1 / (x.numel() / (double)x.shape[0] * Math.Log(2));
        var gamma = schedule.Gamma(t);
        var slope = schedule.Derivative(t);
        var leaf = gamma.detach().requires_grad_(true);
        var l = VdmTerms.ContinuousDiffusion(eps, epsModel(LogSnr.Noised(x, leaf, eps), leaf), slope.detach()) * toBits;   // (B)
        var dl = autograd.grad([l.sum()], [leaf], retain_graph: true)[0].detach();                                      // dl_i/dgamma_i
        var value = l.detach();
        var squared = (2 * value * (dl * gamma + value / slope.detach() * slope)).mean();   // its gradient is d E[l^2] / d eta
        var ends = schedule.Gamma(tensor(new float[] { 0f, 1f }, device: x.device));
        var z0 = LogSnr.Alpha(ends[0]) * x + LogSnr.Sigma(ends[0]) * eps0;
        var endpoints = VdmTerms.Prior(x, ends[1]) + (discretised
            ? VdmTerms.DiscretisedReconstruction(x, z0, ends[0]).to_type(x.dtype)
            : VdmTerms.GaussianReconstruction(x, z0, ends[0]));
        return (l.mean() + endpoints.mean() * toBits + squared - squared.detach()).MoveToOuterDisposeScope();
    }

    private static Tensor Noise(Tensor x, Generator rng) => randn(x.shape, dtype: x.dtype, device: x.device, generator: rng);
}
