using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Score.Losses;

/// <summary>
/// Denoising score matching (Vincent 2011; NCSN's objective, docs/score-models.md#dsm):
///   l(theta; sigma) = 1/2 E_{x ~ p, x~ ~ N(x, sigma^2 I)} || s_theta(x~, sigma) + (x~ - x) / sigma^2 ||^2,
/// whose minimiser over all functions is the score of the perturbed data, grad log p_sigma(x~). With the
/// weighting lambda(sigma) = sigma^2 and x~ = x + sigma z the per-example term is 1/2 || sigma s_theta(x~, sigma) + z ||^2.
/// </summary>
public sealed class DenoisingScoreMatching : IScoreMatchingLoss
{
    public const string RegistryName = "dsm";

    public string Name => RegistryName;

    public Tensor Loss(NoiseConditionalScore score, Tensor x, Tensor sigma, Generator generator)
    {
        using var scope = NewDisposeScope();
        var z = randn(x.shape, dtype: x.dtype, device: x.device, generator: generator);
        return Loss(score, x, sigma, z).MoveToOuterDisposeScope();
    }

    /// <summary>The same with the noise z given (for tests and common random numbers).</summary>
    public static Tensor Loss(NoiseConditionalScore score, Tensor x, Tensor sigma, Tensor z)
    {
        using var scope = NewDisposeScope();
        var s = Scores.Broadcastable(sigma, x);                              // (B, 1, ...)
        var xNoisy = x + s * z;                                              // x~ = x + sigma z
        var term = (s * score(xNoisy, sigma) + z).pow(2).flatten(1).sum(1);  // || sigma s + z ||^2, (B)
        return (0.5 * term.mean()).MoveToOuterDisposeScope();
    }
}
