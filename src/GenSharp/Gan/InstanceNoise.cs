using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Gan;

/// <summary>
/// Instance noise (Sønderby et al. 2016; Arjovsky and Bottou 2017): the discriminator sees real and
/// generated images both convolved with N(0, sigma^2), which makes the two distributions overlap so
/// that the discriminator's gradient is informative. sigma decays linearly from <see cref="Sigma"/> to 0
/// over training when <see cref="Anneal"/> is set. Works with any objective.
/// </summary>
public sealed record InstanceNoise(double Sigma = 0, bool Anneal = true)
{
    public InstanceNoise Validate()
    {
        if (!(Sigma >= 0) || double.IsInfinity(Sigma)) throw new ConfigException($"--instance-noise {Sigma}: must be >= 0 (0 disables)");
        return this;
    }

    /// <summary>sigma at (0-based) <paramref name="step"/> of <paramref name="total"/>.</summary>
    public double SigmaAt(long step, long total) =>
        Anneal ? Sigma * Math.Max(0, 1 - (double)step / Math.Max(1, total)) : Sigma;

    /// <summary>x + sigma * eps, eps ~ N(0, I) (a new tensor; x itself if sigma is 0).</summary>
    public static Tensor Apply(Tensor x, double sigma, Generator g) =>
        sigma > 0 ? x + sigma * randn(x.shape, generator: g, device: x.device, dtype: x.dtype) : x.alias();
}
