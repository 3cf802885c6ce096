using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Score.Losses;

/// <summary>
/// Score matching against the Parzen (kernel density) score of a finite data set {x_i} (docs/score-models.md#parzen):
///   grad log q_sigma(x) = sum_i (x_i - x) / sigma^2 K(x | x_i) / sum_i K(x | x_i),  K(x | x_i) = exp(-||x - x_i||^2 / (2 sigma^2)),
/// the exact score of the empirical distribution blurred by N(0, sigma^2 I). Explicit score matching
/// against it, at x~ = x + sigma z with weighting sigma^2, has the same minimiser as denoising score
/// matching on the same set (Vincent 2011), but a lower-variance target; it costs O(B N) per batch.
/// </summary>
/// <param name="reference">The data set (N, ...) defining q; kept (not copied) by the caller.</param>
public sealed class ParzenScoreMatching(Tensor reference) : IScoreMatchingLoss
{
    public const string RegistryName = "parzen";

    public string Name => RegistryName;

    public Tensor Loss(NoiseConditionalScore score, Tensor x, Tensor sigma, Generator generator)
    {
        using var scope = NewDisposeScope();
        var s = Scores.Broadcastable(sigma, x);
        var xNoisy = x + s * randn(x.shape, dtype: x.dtype, device: x.device, generator: generator);
        Tensor target;
        using (no_grad()) target = Score(reference, xNoisy, sigma);
        var term = (s * (score(xNoisy, sigma) - target)).pow(2).flatten(1).sum(1);
        return (0.5 * term.mean()).MoveToOuterDisposeScope();
    }

    /// <summary>The Parzen score of <paramref name="reference"/> (N, ...) at x (B, ...) with bandwidth sigma (B).</summary>
    public static Tensor Score(Tensor reference, Tensor x, Tensor sigma)
    {
        using var scope = NewDisposeScope();
        var xf = x.flatten(1);                                          // (B, D)
        var r = reference.flatten(1).to(x.device).to_type(x.dtype);     // (N, D)
        var s2 = sigma.reshape(-1, 1).pow(2);                           // (B, 1)
        var d2 = cdist(xf, r).pow(2);                                   // (B, N)
        var w = (-d2 / (2 * s2)).softmax(1);                            // K(x|x_i) / sum_j K(x|x_j)
        var mean = w.matmul(r);                                         // (B, D): E[x_i | x]
        return ((mean - xf) / s2).reshape(x.shape).MoveToOuterDisposeScope();
    }
}
