using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Diffusion;

/// <summary>
/// The discretised Gaussian decoder of Ho et al. (2020, eq. 13): pixel values x in [-1, 1] on the 256-level
/// grid x = 2k/255 - 1, and
///   p(x | mean, s) = Phi((x + 1/255 - mean) / s) - Phi((x - 1/255 - mean) / s),
/// with the outer edges open: the bin of x = -1 starts at -inf and the bin of x = 1 ends at +inf, so the
/// 256 probabilities sum to 1.
///
/// Computed in float64 without cancellation: the interval [a, b] (standardised) is reflected to the side
/// where its midpoint is &lt;= 0 (Phi(b) - Phi(a) = Phi(-a) - Phi(-b)), then
///   log(Phi(u) - Phi(l)) = log Phi(u) + log(-expm1(log Phi(l) - log Phi(u))),
///   log Phi(z) = log1p(-erfc(z/sqrt2) / 2)                        for z &gt;= 0,
///              = log(erfc(-z/sqrt2) / 2)                           for -20 &lt;= z &lt; 0,
///              = -z^2/2 - log(-z) - log(2 pi)/2 + log(1 - 1/z^2 + 3/z^4 - 15/z^6 + 105/z^8)  for z &lt; -20
/// (the asymptotic Mills-ratio series, relative error below 1e-10 there), which stays accurate far into
/// the tails, where Ho et al.'s code clamps probabilities at 1e-12. (TorchSharp 0.107's special.erfcx
/// computes erfc, so the scaled function cannot be used.)
/// </summary>
public static class DiscretizedGaussian
{
    /// <summary>Half the width of one of the 256 bins on [-1, 1].</summary>
    public const double HalfBin = 1.0 / 255.0;

    /// <summary>
    /// Element-wise log p(x | mean, exp(logScale)) in nats, float64, broadcast over the arguments.
    /// x must lie in [-1, 1]; edges are detected as x &lt; -0.999 and x &gt; 0.999 (as Ho et al.).
    /// </summary>
    public static Tensor LogLikelihood(Tensor x, Tensor mean, Tensor logScale)
    {
        using var scope = NewDisposeScope();
        var x64 = x.to_type(ScalarType.Float64);
        var invScale = (-logScale.to_type(ScalarType.Float64)).exp();
        var centered = x64 - mean.to_type(ScalarType.Float64);
        var lower = where(x64 < -0.999, full_like(centered, double.NegativeInfinity), (centered - HalfBin) * invScale);
        var upper = where(x64 > 0.999, full_like(centered, double.PositiveInfinity), (centered + HalfBin) * invScale);
        // reflect so that the midpoint is <= 0 (an open edge counts as far out on its side)
        var flip = (lower + upper) > 0 | (x64 > 0.999);
        flip = flip & ~(x64 < -0.999);
        var l = where(flip, -upper, lower);
        var u = where(flip, -lower, upper);
        var logU = LogNormalCdf(u);
        var logL = LogNormalCdf(l);
        var result = logU + (-(logL - logU).expm1()).log();
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>log Phi(z), float64, accurate for very negative z.</summary>
    public static Tensor LogNormalCdf(Tensor z)
    {
        using var scope = NewDisposeScope();
        var farLeft = z < -20;
        var negative = z < 0;
        var mid = where(farLeft, full_like(z, -20.0), z);       // keep every branch finite where it is unused
        var far = where(farLeft, z, full_like(z, -20.0));
        var right = (-special.erfc(mid.clamp_min(0) / Math.Sqrt(2)) / 2).log1p();
        var left = (special.erfc(-mid.clamp_max(0) / Math.Sqrt(2)) / 2).log();
        var inv2 = far.pow(-2);
        var series = 1 - inv2 * (1 - inv2 * (3 - inv2 * (15 - 105 * inv2)));
        var tail = -far.pow(2) / 2 - (-far).log() - 0.5 * Math.Log(2 * Math.PI) + series.log();
        var result = where(farLeft, tail, where(negative, left, right));
        return result.MoveToOuterDisposeScope();
    }
}
