using static TorchSharp.torch;

namespace GenSharp.Score;

/// <summary>
/// A noise-conditional score s(x, sigma) ~ grad_x log p_sigma(x), where p_sigma = p * N(0, sigma^2 I)
/// (docs/score-models.md#scores). <c>x</c> is (B, ...) with any trailing shape (2D points or (B, C, H, W) images);
/// <c>sigma</c> is (B) on x's device. Returns a fresh tensor shaped like x. The losses and samplers of
/// <see cref="GenSharp.Score"/> take this delegate, so any network (the 2D <see cref="Nn.ScoreMlp"/>, an
/// image U-Net) or an exact score plugs in unchanged: <c>(x, sigma) =&gt; net.call(x, sigma)</c>.
/// </summary>
public delegate Tensor NoiseConditionalScore(Tensor x, Tensor sigma);

/// <summary>Helpers to adapt scores.</summary>
public static class Scores
{
    /// <summary>An unconditional score s(x) seen as a noise-conditional one that ignores sigma.</summary>
    public static NoiseConditionalScore IgnoringSigma(Func<Tensor, Tensor> score) => (x, _) => score(x);

    /// <summary>A noise-conditional score frozen at one sigma: s(x) = s(x, sigma).</summary>
    public static Func<Tensor, Tensor> AtSigma(NoiseConditionalScore score, double sigma) =>
        x =>
        {
            using var scope = NewDisposeScope();
            var s = full([x.shape[0]], sigma, dtype: x.dtype, device: x.device);
            return score(x, s).MoveToOuterDisposeScope();
        };

    /// <summary>Broadcasts a per-example sigma (B) against x (B, ...): shape (B, 1, ..., 1).</summary>
    public static Tensor Broadcastable(Tensor sigma, Tensor x)
    {
        var shape = new long[x.dim()];
        Array.Fill(shape, 1L);
        shape[0] = x.shape[0];
        return sigma.reshape(shape);
    }
}
