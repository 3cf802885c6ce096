using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Score;

/// <summary>
/// The training and sampling techniques of NCSNv2 (Song &amp; Ermon 2020, "Improved techniques for training
/// score-based generative models"; SPEC §4, seed 001) as plain functions:
/// <list type="number">
/// <item>sigma_1 = the maximum pairwise Euclidean distance of the training data (<see cref="MaxPairwiseDistance"/>);</item>
/// <item>geometric sigmas whose ratio gamma solves
///   Phi(sqrt(2D)(gamma - 1) + 3 gamma) - Phi(sqrt(2D)(gamma - 1) - 3 gamma) = C, C ~ 0.5 (<see cref="SolveGamma"/>),
///   and the number of levels that ratio implies (<see cref="NumberOfLevels"/>);</item>
/// <item>s(x, sigma) = s(x) / sigma (in the networks);</item>
/// <item>T steps per level by budget, then eps so that the variance ratio s_T^2 / sigma_i^2 of Langevin on a
///   single-point dataset is as close to 1 as possible (<see cref="VarianceRatio"/>, <see cref="ChooseEps"/>);</item>
/// <item>EMA of the weights with m = <see cref="EmaDecay"/>.</item>
/// </list>
/// </summary>
public static class Ncsnv2Techniques
{
    /// <summary>Technique 5: the EMA decay.</summary>
    public const double EmaDecay = 0.999;

    /// <summary>Technique 2's overlap target C.</summary>
    public const double DefaultOverlap = 0.5;

    /// <summary>
    /// Technique 2's left side: with x ~ N(0, sigma_{i-1}^2 I) in D dimensions, ||x|| / sigma_i is roughly
    /// N(sqrt(D) gamma, gamma^2 / 2) against sigma_i's shell at sqrt(D); this is the probability mass the
    /// "3-sigma" intervals of the two levels share:
    /// Phi(sqrt(2D)(gamma - 1) + 3 gamma) - Phi(sqrt(2D)(gamma - 1) - 3 gamma).
    /// </summary>
    public static double Overlap(double gamma, int dimension)
    {
        double a = Math.Sqrt(2.0 * dimension) * (gamma - 1);
        return StandardNormal.Cdf(a + 3 * gamma) - StandardNormal.Cdf(a - 3 * gamma);
    }

    /// <summary>
    /// The ratio gamma &gt; 1 with <see cref="Overlap"/>(gamma, D) = C, by bisection to machine precision.
    /// The overlap starts at Phi(3) - Phi(-3) = 0.9973 at gamma = 1 and decreases to 0 only when
    /// sqrt(2D) &gt; 3; for D &lt;= 4 it never falls below 1/2, the equation has no root, and this returns
    /// null (any ratio satisfies the overlap condition in so few dimensions: choose the levels directly).
    /// </summary>
    public static double? SolveGamma(int dimension, double overlap = DefaultOverlap)
    {
        if (dimension < 1) throw new ConfigException($"--dim {dimension}: must be at least 1");
        if (!(overlap > 0 && overlap < Overlap(1, dimension)))
            throw new ConfigException($"overlap C = {overlap}: must be in (0, {Overlap(1, dimension):F4})");
        if (Math.Sqrt(2.0 * dimension) <= 3) return null;
        double lo = 1, hi = 2;
        while (Overlap(hi, dimension) > overlap)
        {
            lo = hi;
            hi *= 2;
            if (hi > 1e12) return null;
        }
        for (int i = 0; i < 200 && hi - lo > 1e-15 * hi; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (Overlap(mid, dimension) > overlap) lo = mid; else hi = mid;
        }
        return 0.5 * (lo + hi);
    }

    /// <summary>
    /// The number of geometric levels from sigma_1 to sigma_L whose ratio does not exceed gamma:
    /// L = ceil(log(sigma_1 / sigma_L) / log gamma) + 1 (the realised ratio is then (sigma_1/sigma_L)^(1/(L-1)) &lt;= gamma).
    /// </summary>
    public static int NumberOfLevels(double sigma1, double sigmaL, double gamma)
    {
        if (!(sigmaL > 0 && sigma1 > sigmaL)) throw new ConfigException($"sigma_1 = {sigma1}, sigma_L = {sigmaL}: need sigma_1 > sigma_L > 0");
        if (!(gamma > 1)) throw new ConfigException($"gamma {gamma}: must be > 1");
        double levels = Math.Ceiling(Math.Log(sigma1 / sigmaL) / Math.Log(gamma) - 1e-12) + 1;
        return levels > 1_000_000
            ? throw new ConfigException($"gamma {gamma} from sigma_1 = {sigma1} to sigma_L = {sigmaL} needs {levels} levels; raise gamma")
            : (int)levels;
    }

    /// <summary>
    /// Technique 4: for one noise level sigma_i, Langevin with step alpha = eps sigma_i^2 / sigma_L^2 on the
    /// single-point dataset (p_sigma_i = N(0, sigma_i^2 I)) started from N(0, (gamma sigma_i)^2 I) has, after
    /// T steps, variance s_T^2 with (a = eps / sigma_L^2)
    ///   s_T^2 / sigma_i^2 = (1 - a)^(2T) (gamma^2 - 2a / (1 - (1 - a)^2)) + 2a / (1 - (1 - a)^2),
    /// independent of i: x_{t+1} = (1 - a) x_t + sqrt(2 alpha) z gives s_{t+1}^2 = (1 - a)^2 s_t^2 + 2 alpha.
    /// </summary>
    public static double VarianceRatio(double eps, int steps, double gamma, double sigmaL)
    {
        double a = eps / (sigmaL * sigmaL);
        double q = 1 - a;
        double stationary = 2 * a / (1 - q * q);
        return Math.Pow(q, 2.0 * steps) * (gamma * gamma - stationary) + stationary;
    }

    /// <summary>
    /// The eps (with a = eps / sigma_L^2 in (0, 1)) that brings <see cref="VarianceRatio"/> closest to 1: a
    /// log-spaced scan of 4000 points over a in [1e-12, 1), refined by golden-section search on log a
    /// around the best point. Returns eps and the ratio it achieves.
    /// </summary>
    public static (double Eps, double Ratio) ChooseEps(int steps, double gamma, double sigmaL)
    {
        if (steps < 1) throw new ConfigException($"--T {steps}: must be at least 1");
        if (!(gamma >= 1)) throw new ConfigException($"gamma {gamma}: must be >= 1");
        if (!(sigmaL > 0)) throw new ConfigException($"sigma_L {sigmaL}: must be > 0");
        double s2 = sigmaL * sigmaL;
        double Cost(double logA) => Math.Abs(VarianceRatio(Math.Exp(logA) * s2, steps, gamma, sigmaL) - 1);
        const int grid = 4000;
        double lo = Math.Log(1e-12), hi = Math.Log(1 - 1e-9), h = (hi - lo) / (grid - 1);
        int best = 0;
        double bestCost = double.MaxValue;
        for (int i = 0; i < grid; i++)
        {
            double c = Cost(lo + i * h);
            if (c < bestCost) { bestCost = c; best = i; }
        }
        double left = lo + Math.Max(0, best - 1) * h, right = lo + Math.Min(grid - 1, best + 1) * h;
        double phi = (Math.Sqrt(5) - 1) / 2;
        for (int it = 0; it < 200 && right - left > 1e-13; it++)
        {
            double m1 = right - phi * (right - left), m2 = left + phi * (right - left);
            if (Cost(m1) < Cost(m2)) right = m2; else left = m1;
        }
        double eps = Math.Exp(0.5 * (left + right)) * s2;
        return (eps, VarianceRatio(eps, steps, gamma, sigmaL));
    }

    /// <summary>
    /// Technique 1: the largest Euclidean distance between two rows of <paramref name="data"/> (N, ...).
    /// Exact (chunked all-pairs distances) when N^2 D &lt;= <paramref name="exactBudget"/>; otherwise a
    /// documented approximation: the best of 8 "double sweeps" (from a random point, take the farthest
    /// point a, then the farthest point b from a; |a - b| is a distance that exists in the data, so a
    /// lower bound, and for a ball-like cloud usually the diameter). The upper bound 2 max_j |x_0 - x_j| is
    /// returned as well.
    /// </summary>
    public static MaxDistanceEstimate MaxPairwiseDistance(Tensor data, long seed = 0, double exactBudget = 2e10)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = data.reshape(data.shape[0], -1).to_type(ScalarType.Float64);
        long n = x.shape[0], d = x.shape[1];
        if (n < 2) throw new ConfigException($"max pairwise distance of {n} point(s): need at least 2");
        double upper = 2 * FarthestFrom(x, 0).Distance;
        if ((double)n * n * d <= exactBudget)
        {
            double best = 0;
            const long chunk = 1024;
            for (long i = 0; i < n; i += chunk)
            {
                using var inner = NewDisposeScope();
                var rows = x.narrow(0, i, Math.Min(chunk, n - i));
                best = Math.Max(best, cdist(rows, x).max().item<double>());
            }
            return new MaxDistanceEstimate(best, true, best);
        }
        using var g = new Generator((ulong)seed, CPU);
        double lower = 0;
        for (int sweep = 0; sweep < 8; sweep++)
        {
            long start = randint(0, n, [1], generator: g).item<long>();
            var (a, _) = FarthestFrom(x, start);
            var (_, dist) = FarthestFrom(x, a);
            lower = Math.Max(lower, dist);
        }
        return new MaxDistanceEstimate(lower, false, upper);
    }

    private static (long Index, double Distance) FarthestFrom(Tensor x, long i)
    {
        using var scope = NewDisposeScope();
        var dist = (x - x[i].unsqueeze(0)).pow(2).sum(1);
        var (value, index) = dist.max(0);
        return (index.item<long>(), Math.Sqrt(value.item<double>()));
    }
}

/// <summary>The largest pairwise distance of a data set: the value, whether it is exact, and an upper bound.</summary>
public sealed record MaxDistanceEstimate(double Value, bool Exact, double UpperBound);
