using static TorchSharp.torch;

namespace GenSharp.Vdm;

/// <summary>
/// The variance-preserving diffusion in terms of the log-SNR gamma (Kingma et al. 2021, eq. 1-3; docs/vdm.md#process):
/// q(z_t | x) = N(alpha_t x, sigma_t^2 I) with alpha_t^2 = sigmoid(-gamma_t), sigma_t^2 = sigmoid(gamma_t), SNR = exp(-gamma_t).
/// Functions of gamma tensors, element-wise; none disposes its arguments.
/// </summary>
public static class LogSnr
{
    /// <summary>alpha = sqrt(sigmoid(-gamma)).</summary>
    public static Tensor Alpha(Tensor gamma)
    {
        using var scope = NewDisposeScope();
        return sigmoid(-gamma).sqrt().MoveToOuterDisposeScope();
    }

    /// <summary>sigma = sqrt(sigmoid(gamma)).</summary>
    public static Tensor Sigma(Tensor gamma)
    {
        using var scope = NewDisposeScope();
        return sigmoid(gamma).sqrt().MoveToOuterDisposeScope();
    }

    /// <summary>SNR = alpha^2 / sigma^2 = exp(-gamma).</summary>
    public static Tensor Snr(Tensor gamma) => exp(-gamma);

    /// <summary>
    /// The time input of a VDM's noise predictor: 1000 (gamma - gamma_min) / (gamma_max - gamma_min) with the configured endpoints, a
    /// function of the SNR alone (docs/vdm.md#invariance), on the scale of a DDPM's timestep indices.
    /// </summary>
    public static Tensor NetworkTime(Tensor gamma, double gammaMin, double gammaMax) => (gamma - gammaMin) * (1000.0 / (gammaMax - gammaMin));

    /// <summary>gamma (B) shaped to broadcast over a batch like <paramref name="like"/> (B, ...).</summary>
    public static Tensor Broadcast(Tensor gamma, Tensor like) =>
        gamma.reshape([gamma.shape[0], .. Enumerable.Repeat(1L, (int)like.dim() - 1)]);

    /// <summary>z_t = alpha_t x + sigma_t eps for a batch x (B, ...), gamma (B), eps like x.</summary>
    public static Tensor Noised(Tensor x, Tensor gamma, Tensor eps)
    {
        using var scope = NewDisposeScope();
        var g = Broadcast(gamma, x);
        return (Alpha(g) * x + Sigma(g) * eps).MoveToOuterDisposeScope();
    }
}
