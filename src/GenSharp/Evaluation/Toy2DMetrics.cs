using GenSharp.Data.Toy;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Evaluation;

/// <summary>
/// Exact metrics for 2D samples against a toy whose density is known (docs/evaluation.md#toy-metrics): mean log-likelihood
/// under the true density beside that of true samples; for mixtures with few components, the fraction
/// of samples whose most probable component is k against the true weights; sliced Wasserstein-2 and
/// RBF MMD^2 against true samples, each beside its true-vs-true floor.
/// </summary>
public static class Toy2DMetrics
{
    /// <summary>Mixtures with more components than this are curves; per-component weights mean little there.</summary>
    public const int MaxComponentsForWeights = 16;

    /// <param name="samples">Generated samples (n, 2).</param>
    /// <param name="distribution">The true distribution.</param>
    /// <param name="reference">True samples (m, 2) drawn independently.</param>
    /// <param name="seed">Seed for projections and the second true set.</param>
    public static Toy2DReport Evaluate(Tensor samples, IToyDistribution distribution, Tensor reference, long seed = 0, int projections = 256)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = samples.cpu().to_type(ScalarType.Float64);
        var y = reference.cpu().to_type(ScalarType.Float64);
        using var g = new Generator((ulong)seed + 17, CPU);
        var y2 = distribution.Sample(y.shape[0], g).to_type(ScalarType.Float64);

        double llSamples = distribution.LogProb(x).mean().item<double>();
        double llTrue = distribution.LogProb(y).mean().item<double>();

        double[]? fractions = null, weights = null;
        double? errMax = null, errTv = null, refErrMax = null;
        if (distribution is GaussianMixture2D mixture && mixture.Components <= MaxComponentsForWeights)
        {
            weights = mixture.Weights;
            fractions = ComponentFractions(mixture, x);
            errMax = fractions.Zip(weights, (f, w) => Math.Abs(f - w)).Max();
            errTv = 0.5 * fractions.Zip(weights, (f, w) => Math.Abs(f - w)).Sum();
            refErrMax = ComponentFractions(mixture, y).Zip(weights, (f, w) => Math.Abs(f - w)).Max();
        }

        double sw = SlicedWasserstein(x, y, projections, seed);
        double swFloor = SlicedWasserstein(y2, y, projections, seed);
        var (mmd, bandwidth) = Mmd2Rbf(x, y);
        return new Toy2DReport((int)x.shape[0], llSamples, llTrue, fractions, weights, errMax, errTv, refErrMax, sw, swFloor, mmd, bandwidth);
    }

    /// <summary>Fraction of points whose most probable mixture component is k.</summary>
    public static double[] ComponentFractions(GaussianMixture2D mixture, Tensor x)
    {
        using var scope = NewDisposeScope();
        var assigned = mixture.Responsibilities(x).argmax(1);
        var counts = bincount(assigned, minlength: mixture.Components).to_type(ScalarType.Float64);
        return (counts / x.shape[0]).data<double>().ToArray();
    }

    /// <summary>
    /// Sliced Wasserstein-2: sqrt of the mean over random unit directions of the exact 1D W2^2 between
    /// the projected sets (by sorting; the larger set is subsampled to equal size by quantiles).
    /// </summary>
    public static double SlicedWasserstein(Tensor a, Tensor b, int projections = 256, long seed = 0)
    {
        using var scope = NewDisposeScope();
        using var g = new Generator((ulong)seed + 101, CPU);
        var A = a.cpu().to_type(ScalarType.Float64);
        var B = b.cpu().to_type(ScalarType.Float64);
        var dirs = randn([A.shape[1], projections], dtype: ScalarType.Float64, generator: g);
        dirs = dirs / dirs.norm(0, keepdim: true);
        var pa = A.matmul(dirs).sort(0).Values; // (n, P)
        var pb = B.matmul(dirs).sort(0).Values; // (m, P)
        long n = Math.Min(pa.shape[0], pb.shape[0]);
        pa = Quantiles(pa, n);
        pb = Quantiles(pb, n);
        return Math.Sqrt((pa - pb).pow(2).mean().item<double>());
    }

    /// <summary>
    /// Unbiased MMD^2 with k(x, y) = exp(-|x - y|^2 / (2 h^2)), h = median pairwise distance of the
    /// pooled set (computed on at most 2000 points of each set to bound the cost).
    /// </summary>
    public static (double Mmd2, double Bandwidth) Mmd2Rbf(Tensor a, Tensor b, int maxPoints = 2000)
    {
        using var scope = NewDisposeScope();
        var X = a.cpu().to_type(ScalarType.Float64);
        var Y = b.cpu().to_type(ScalarType.Float64);
        if (X.shape[0] > maxPoints) X = X[..maxPoints];
        if (Y.shape[0] > maxPoints) Y = Y[..maxPoints];
        var pooled = cat([X, Y], 0);
        var d2 = cdist(pooled, pooled).pow(2);
        long n = pooled.shape[0];
        var upper = d2.masked_select(ones(n, n, dtype: ScalarType.Bool).triu(1));
        double h = Math.Sqrt(upper.median().item<double>());
        if (!(h > 0)) h = 1;
        Tensor K(Tensor u, Tensor v) => exp(-cdist(u, v).pow(2) / (2 * h * h));
        long m = X.shape[0], k = Y.shape[0];
        double kxx = (K(X, X).sum().item<double>() - m) / (m * (m - 1.0));
        double kyy = (K(Y, Y).sum().item<double>() - k) / (k * (k - 1.0));
        double kxy = K(X, Y).mean().item<double>();
        return (kxx + kyy - 2 * kxy, h);
    }

    private static Tensor Quantiles(Tensor sorted, long n)
    {
        long m = sorted.shape[0];
        if (m == n) return sorted;
        var idx = linspace(0, m - 1, n, dtype: ScalarType.Float64).round().to_type(ScalarType.Int64);
        return sorted.index_select(0, idx);
    }
}
