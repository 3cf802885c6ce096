using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Evaluation;

/// <summary>
/// KID (Bińkowski et al.): the unbiased MMD^2 between feature sets with the cubic polynomial kernel
/// k(x, y) = (x.y / d + 1)^3, averaged over random subsets; reported with the standard deviation over those subsets
/// (as torchmetrics' <c>kid_mean</c>, <c>kid_std</c>). The subsets overlap heavily (50 draws of 1,000 from 10,000), so they
/// are not independent and std / sqrt(subsets) would understate the uncertainty; the spread itself is what is reported.
/// When a set has no more than <c>subsetSize</c> vectors, subsets of half the smaller set are drawn instead: subsets as
/// large as the whole set would all be the same set, and their spread would be zero, not a measurement.
/// </summary>
public static class KernelInceptionDistance
{
    public static (double Mean, double Std) Compute(Tensor a, Tensor b, int subsets = 50, int subsetSize = 1000, long seed = 0)
    {
        using var scope = NewDisposeScope();
        var x = a.to_type(ScalarType.Float64);
        var y = b.to_type(ScalarType.Float64);
        long n = Math.Min(x.shape[0], y.shape[0]);
        int m = n > subsetSize ? subsetSize : (int)(n / 2);
        if (m < 2) throw new ArgumentException($"KID needs at least 4 samples per set (got {n})");
        double d = x.shape[1];
        using var g = new Generator((ulong)seed + 7, CPU);
        var values = new double[subsets];
        for (int s = 0; s < subsets; s++)
        {
            using var inner = NewDisposeScope();
            var xs = x.index_select(0, randperm(x.shape[0], generator: g)[..m].to(x.device));
            var ys = y.index_select(0, randperm(y.shape[0], generator: g)[..m].to(y.device));
            var kxx = (xs.matmul(xs.T) / d + 1).pow(3);
            var kyy = (ys.matmul(ys.T) / d + 1).pow(3);
            var kxy = (xs.matmul(ys.T) / d + 1).pow(3);
            double sxx = (kxx.sum().item<double>() - kxx.diagonal().sum().item<double>()) / (m * (m - 1.0));
            double syy = (kyy.sum().item<double>() - kyy.diagonal().sum().item<double>()) / (m * (m - 1.0));
            values[s] = sxx + syy - 2 * kxy.mean().item<double>();
        }
        double mean = values.Average();
        double std = subsets > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (subsets - 1)) : 0;
        return (mean, std);
    }
}
