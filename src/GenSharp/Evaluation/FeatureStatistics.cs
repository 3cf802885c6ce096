using GenSharp.Training;
using static TorchSharp.torch;

namespace GenSharp.Evaluation;

/// <summary>
/// Sufficient statistics of a set of feature vectors and classifier outputs that add up exactly across shards
/// (docs/scale-out.md#merging): the count n, the sum of features s = sum_i f_i, the sum of outer products S = sum_i f_i f_i^T, the
/// predicted-class counts, the summed softmax sum_i p_i and sum_i sum_c p_ic log p_ic. From them: the mean s / n, the unbiased
/// covariance (S - s s^T / n) / (n - 1) (so the Fréchet distance), the class histogram and the classifier score
/// exp(E_i KL(p_i || p_bar)) = exp(sum_i sum_c p_ic log p_ic / n - sum_c p_bar_c log p_bar_c).
/// s and S are accumulated in 64-bit fixed point (each f_i and f_i f_j, exact in float64, rounded to a multiple of 2^-32): integer sums
/// do not depend on the order of addition, so any split into shards gives bit for bit the same s and S, hence the same FD, whatever
/// the shard count, thread count or block layout (a float64 sum would differ in the last bits, and FD's square roots of near-zero
/// eigenvalues turn that into ~1e-8).
/// </summary>
public sealed class FeatureStatistics : IDisposable
{
    /// <summary>Fraction bits of the fixed-point sums.</summary>
    public const int FractionBits = 32;

    private const double Scale = 1L << FractionBits;

    private FeatureStatistics(long count, Tensor sum, Tensor outer, Tensor classCounts, Tensor probabilitySum, double plogpSum)
    {
        (Count, Sum, Outer, ClassCounts, ProbabilitySum, PlogpSum) = (count, sum, outer, classCounts, probabilitySum, plogpSum);
    }

    public long Count { get; }

    /// <summary>sum_i f_i, (D) int64 in units of 2^-32.</summary>
    public Tensor Sum { get; }

    /// <summary>sum_i f_i f_i^T, (D, D) int64 in units of 2^-32.</summary>
    public Tensor Outer { get; }

    /// <summary>Samples per predicted class, (C) float64.</summary>
    public Tensor ClassCounts { get; }

    /// <summary>sum_i p_i, (C) float64.</summary>
    public Tensor ProbabilitySum { get; }

    /// <summary>sum_i sum_c p_ic log p_ic.</summary>
    public double PlogpSum { get; }

    /// <summary>The statistics of (N, D) <paramref name="features"/> and their (N, C) <paramref name="logits"/>.</summary>
    public static FeatureStatistics Of(Tensor features, Tensor logits)
    {
        using var scope = NewDisposeScope();
        var f = features.to_type(ScalarType.Float64);
        var logp = logits.to_type(ScalarType.Float64).log_softmax(1);
        var p = logp.exp();
        var counts = bincount(logp.argmax(1), minlength: (int)logits.shape[1]).to_type(ScalarType.Float64);
        double plogp = (p * logp).sum().item<double>();
        double largest = f.abs().max().item<double>();
        if (largest * largest * Math.Max(f.shape[0], 1) * Scale > Math.Pow(2, 62))
            throw new ConfigException($"feature values up to {largest:G3}: too large for exact fixed-point statistics of {f.shape[0]} samples");
        var sum = Fixed(f).sum([0L]);
        var outer = zeros([f.shape[1], f.shape[1]], ScalarType.Int64);
        for (long s = 0; s < f.shape[0]; s += 64)
        {
            using var chunkScope = NewDisposeScope();
            var c = f.narrow(0, s, Math.Min(64, f.shape[0] - s));
            outer.add_(Fixed(c.unsqueeze(2) * c.unsqueeze(1)).sum([0L]));              // (B, D, D) products, exact in float64
        }
        return new FeatureStatistics(f.shape[0], sum.MoveToOuterDisposeScope(), outer.MoveToOuterDisposeScope(),
            counts.MoveToOuterDisposeScope(), p.sum([0L]).MoveToOuterDisposeScope(), plogp);
    }

    private static Tensor Fixed(Tensor x) => (x * Scale).round().to_type(ScalarType.Int64);

    /// <summary>The statistics of the union of disjoint sets, summed in the given order.</summary>
    public static FeatureStatistics Merge(IReadOnlyList<FeatureStatistics> parts)
    {
        if (parts.Count == 0) throw new ArgumentException("nothing to merge");
        var d = parts[0].Sum.shape;
        if (parts.Any(p => !p.Sum.shape.SequenceEqual(d) || !p.ClassCounts.shape.SequenceEqual(parts[0].ClassCounts.shape)))
            throw new ConfigException("the shards' feature statistics have different dimensions; were they computed with the same feature network?");
        using var scope = NewDisposeScope();
        Tensor sum = parts[0].Sum.clone(), outer = parts[0].Outer.clone();
        Tensor counts = parts[0].ClassCounts.clone(), probs = parts[0].ProbabilitySum.clone();
        for (int i = 1; i < parts.Count; i++)
        {
            sum.add_(parts[i].Sum);
            outer.add_(parts[i].Outer);
            counts.add_(parts[i].ClassCounts);
            probs.add_(parts[i].ProbabilitySum);
        }
        double plogp = 0;
        foreach (var p in parts) plogp += p.PlogpSum;
        if (parts.Sum(p => p.Outer.diagonal().to_type(ScalarType.Float64).max().item<double>()) > Math.Pow(2, 62))
            throw new ConfigException("the merged feature sums exceed the fixed-point range; merge fewer samples");
        return new FeatureStatistics(parts.Sum(p => p.Count), sum.MoveToOuterDisposeScope(), outer.MoveToOuterDisposeScope(),
            counts.MoveToOuterDisposeScope(), probs.MoveToOuterDisposeScope(), plogp);
    }

    /// <summary>Mean (D) and unbiased covariance (D, D), as <see cref="FrechetDistance.Statistics"/> gives them from the features.</summary>
    public (Tensor Mean, Tensor Cov) MeanAndCovariance()
    {
        if (Count < 2) throw new ConfigException($"{Count} sample(s): a covariance needs at least 2");
        using var scope = NewDisposeScope();
        var sum = Sum.to_type(ScalarType.Float64) / Scale;
        var mean = sum / Count;
        var cov = (Outer.to_type(ScalarType.Float64) / Scale - sum.outer(sum) / Count) / (Count - 1);
        return (mean.MoveToOuterDisposeScope(), cov.MoveToOuterDisposeScope());
    }

    /// <summary>FD (docs/evaluation.md#frechet-distance) between these statistics and <paramref name="other"/>.</summary>
    public double FrechetDistanceTo(FeatureStatistics other)
    {
        using var scope = NewDisposeScope();
        var (m1, s1) = other.MeanAndCovariance();
        var (m2, s2) = MeanAndCovariance();
        return FrechetDistance.FromStatistics(m1, s1, m2, s2);
    }

    /// <summary>Fraction of samples per predicted class.</summary>
    public double[] ClassHistogram() => (ClassCounts / Count).data<double>().ToArray();

    /// <summary>The classifier score of <see cref="Evaluation.ClassifierScore"/> from the sums.</summary>
    public double ClassifierScore()
    {
        using var scope = NewDisposeScope();
        var pBar = ProbabilitySum / Count;
        double marginal = (pBar * pBar.clamp_min(1e-30).log()).sum().item<double>();
        return Math.Exp(PlogpSum / Count - marginal);
    }

    /// <summary>Writes the statistics as safetensors (int64 sums, float64 class sums) with <paramref name="metadata"/>.</summary>
    public void Save(string path, IReadOnlyDictionary<string, string> metadata)
    {
        using var scope = NewDisposeScope(); // copies: Safetensors.Save's scope may dispose a tensor it is handed as is
        Safetensors.Save(path, new Dictionary<string, Tensor>
        {
            ["count"] = tensor(new[] { Count }, ScalarType.Int64), ["sum"] = Sum.clone(), ["outer"] = Outer.clone(),
            ["class_counts"] = ClassCounts.clone(), ["probability_sum"] = ProbabilitySum.clone(),
            ["plogp_sum"] = tensor(new[] { PlogpSum }, ScalarType.Float64),
        }, metadata);
    }

    /// <summary>Reads what <see cref="Save"/> wrote; a one-line error names a missing tensor.</summary>
    public static (FeatureStatistics Statistics, IReadOnlyDictionary<string, string> Metadata) Load(string path)
    {
        using var content = Safetensors.Load(path);
        Tensor Take(string name, ScalarType type = ScalarType.Float64) => content.Tensors.TryGetValue(name, out var t)
            ? t.to_type(type).clone()
            : throw new ConfigException($"{path}: no '{name}' tensor; not a feature-statistics file written by gensharp eval --shard");
        using var count = Take("count");
        using var plogp = Take("plogp_sum");
        var stats = new FeatureStatistics((long)count.item<double>(), Take("sum", ScalarType.Int64), Take("outer", ScalarType.Int64),
            Take("class_counts"), Take("probability_sum"),
            plogp.item<double>());
        return (stats, content.Metadata);
    }

    public void Dispose()
    {
        Sum.Dispose();
        Outer.Dispose();
        ClassCounts.Dispose();
        ProbabilitySum.Dispose();
    }
}
