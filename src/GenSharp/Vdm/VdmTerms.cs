using GenSharp.Diffusion;
using static TorchSharp.torch;

namespace GenSharp.Vdm;

/// <summary>
/// The terms of the variational bound of a VDM, per example in nats (Kingma et al. 2021, eq. 11-17; docs/vdm.md#bound):
///   -log p(x) &lt;= L_prior + L_recon + L_diffusion,
///   L_prior     = KL(q(z_1 | x) || N(0, I)) = 1/2 sum_d (sigma_1^2 + alpha_1^2 x_d^2 - log sigma_1^2 - 1),
///   L_recon     = E_{z_0 ~ q(z_0 | x)} [-log p(x | z_0)]: 8-bit data under the discretised Gaussian N(z_0 / alpha_0, exp(gamma_0)) on the
///                 256-level grid (<see cref="DiscretizedGaussian"/>), continuous data under the Gaussian density itself,
///   L_inf       = 1/2 E_{t ~ U[0,1], eps} [gamma'(t) ||eps - eps_hat(z_t; t)||^2]   (continuous time, eq. 17, epsilon form),
///   L_T         = T/2 E_{i ~ U{1..T}, eps} [expm1(gamma(t(i)) - gamma(s(i))) ||eps - eps_hat(z_t; t)||^2], s(i) = (i-1)/T, t(i) = i/T
///                 (eq. 13 with SNR(s) - SNR(t) written as SNR(t) expm1(gamma_t - gamma_s), and ||x - x_hat||^2 = ||eps - eps_hat||^2 / SNR(t)).
/// One-sample estimates per example: the expectations are taken by the caller. Arguments are not disposed.
/// </summary>
public static class VdmTerms
{
    /// <summary>1/2 gamma'(t) ||eps - eps_hat||^2 per example (B).</summary>
    public static Tensor ContinuousDiffusion(Tensor eps, Tensor epsHat, Tensor gammaPrime)
    {
        using var scope = NewDisposeScope();
        return (0.5 * gammaPrime * SquaredNorm(eps - epsHat)).MoveToOuterDisposeScope();
    }

    /// <summary>T/2 expm1(gamma_t - gamma_s) ||eps - eps_hat||^2 per example (B).</summary>
    public static Tensor DiscreteDiffusion(Tensor eps, Tensor epsHat, Tensor gammaS, Tensor gammaT, int steps)
    {
        using var scope = NewDisposeScope();
        return (0.5 * steps * (gammaT - gammaS).expm1() * SquaredNorm(eps - epsHat)).MoveToOuterDisposeScope();
    }

    /// <summary>KL(q(z_1 | x) || N(0, I)) per example (B); gamma_1 a scalar tensor or (B).</summary>
    public static Tensor Prior(Tensor x, Tensor gamma1)
    {
        using var scope = NewDisposeScope();
        var g = gamma1.dim() == 0 ? gamma1 : LogSnr.Broadcast(gamma1, x);
        var kl = 0.5 * (sigmoid(g) + sigmoid(-g) * x.square() - nn.functional.logsigmoid(g) - 1);
        return SumPerExample(kl).MoveToOuterDisposeScope();
    }

    /// <summary>-log p(x | z_0) per example (B), float64, for pixels x = 2k/255 - 1 and p the discretised N(z_0 / alpha_0, exp(gamma_0)).</summary>
    public static Tensor DiscretisedReconstruction(Tensor x, Tensor z0, Tensor gamma0)
    {
        using var scope = NewDisposeScope();
        var g = gamma0.dim() == 0 ? gamma0 : LogSnr.Broadcast(gamma0, x);
        var logLikelihood = DiscretizedGaussian.LogLikelihood(x, z0 / LogSnr.Alpha(g), g / 2);
        return (-SumPerExample(logLikelihood)).MoveToOuterDisposeScope();
    }

    /// <summary>-log N(x; z_0 / alpha_0, exp(gamma_0) I) per example (B), for continuous data.</summary>
    public static Tensor GaussianReconstruction(Tensor x, Tensor z0, Tensor gamma0)
    {
        using var scope = NewDisposeScope();
        var g = gamma0.dim() == 0 ? gamma0 : LogSnr.Broadcast(gamma0, x);
        var nll = 0.5 * (Math.Log(2 * Math.PI) + g + (x - z0 / LogSnr.Alpha(g)).square() * (-g).exp());
        return SumPerExample(nll).MoveToOuterDisposeScope();
    }

    /// <summary>sum over all but the first dimension.</summary>
    public static Tensor SumPerExample(Tensor v) => v.flatten(1).sum([1]);

    private static Tensor SquaredNorm(Tensor v) => SumPerExample(v.square());
}
