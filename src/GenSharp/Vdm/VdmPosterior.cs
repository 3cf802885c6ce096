using static TorchSharp.torch;

namespace GenSharp.Vdm;

/// <summary>
/// The posterior q(z_s | z_t, x) of the variance-preserving diffusion for s &lt; t, in SNR form (Kingma et al. 2021, eq. 6-7 and
/// appendix A; docs/vdm.md#posterior). With alpha_{t|s} = alpha_t / alpha_s and sigma_{t|s}^2 = sigma_t^2 - alpha_{t|s}^2 sigma_s^2
/// = -expm1(gamma_s - gamma_t) sigma_t^2, let c = -expm1(gamma_s - gamma_t) = 1 - SNR(t) / SNR(s). Then
///   mu_Q      = alpha_{t|s} sigma_s^2 / sigma_t^2 z_t + alpha_s sigma_{t|s}^2 / sigma_t^2 x = alpha_s / alpha_t (1 - c) z_t + alpha_s c x,
///   sigma_Q^2 = sigma_{t|s}^2 sigma_s^2 / sigma_t^2 = c sigma_s^2,
/// and with x = x_hat = (z_t - sigma_t eps_hat) / alpha_t the mean is alpha_s / alpha_t (z_t - c sigma_t eps_hat), the ancestral
/// sampler's step. gamma_s, gamma_t broadcast against z_t; nothing is disposed.
/// </summary>
public static class VdmPosterior
{
    /// <summary>c = -expm1(gamma_s - gamma_t), in (0, 1) for gamma_s &lt; gamma_t.</summary>
    public static Tensor C(Tensor gammaS, Tensor gammaT) => -(gammaS - gammaT).expm1();

    /// <summary>mu_Q given the clean data x.</summary>
    public static Tensor Mean(Tensor zt, Tensor x, Tensor gammaS, Tensor gammaT)
    {
        using var scope = NewDisposeScope();
        var c = C(gammaS, gammaT);
        var alphaS = LogSnr.Alpha(gammaS);
        return (alphaS / LogSnr.Alpha(gammaT) * (1 - c) * zt + alphaS * c * x).MoveToOuterDisposeScope();
    }

    /// <summary>mu_Q with x replaced by x_hat = (z_t - sigma_t eps_hat) / alpha_t.</summary>
    public static Tensor MeanFromEps(Tensor zt, Tensor epsHat, Tensor gammaS, Tensor gammaT)
    {
        using var scope = NewDisposeScope();
        var c = C(gammaS, gammaT);
        return (LogSnr.Alpha(gammaS) / LogSnr.Alpha(gammaT) * (zt - c * LogSnr.Sigma(gammaT) * epsHat)).MoveToOuterDisposeScope();
    }

    /// <summary>sigma_Q^2 = c sigma_s^2.</summary>
    public static Tensor Variance(Tensor gammaS, Tensor gammaT)
    {
        using var scope = NewDisposeScope();
        return (C(gammaS, gammaT) * sigmoid(gammaS)).MoveToOuterDisposeScope();
    }
}
