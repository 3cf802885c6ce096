using GenSharp.Evaluation;
using static TorchSharp.torch;

namespace GenSharp.Tests.Evaluation;

/// <summary>
/// <see cref="FeatureStatistics"/> add up exactly (docs/scale-out.md#merging): merged shards give the mean and unbiased covariance of
/// the union, hence its FD to 1e-9, and the classifier score and class histogram of <see cref="ClassifierScore"/>.
/// </summary>
public sealed class FeatureStatisticsTests
{
    [Fact]
    public void MergedShardsEqualTheDirectStatisticsFdAndClassifierScore()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(3, CPU);
        var features = randn([700, 16], generator: g) * 2 + 3;        // an offset mean, as real features have
        var logits = randn([700, 10], generator: g) * 3;
        var reference = randn([500, 16], generator: g) + 2.5;
        var referenceLogits = randn([500, 10], generator: g);

        var parts = new[] { (0, 123), (123, 400), (400, 700) }
            .Select(p => FeatureStatistics.Of(features.narrow(0, p.Item1, p.Item2 - p.Item1),
                logits.narrow(0, p.Item1, p.Item2 - p.Item1))).ToList();
        using var merged = FeatureStatistics.Merge(parts);
        foreach (var p in parts) p.Dispose();
        using var refStats = FeatureStatistics.Of(reference, referenceLogits);

        Assert.Equal(700, merged.Count);
        var (mean, cov) = merged.MeanAndCovariance();
        var (directMean, directCov) = FrechetDistance.Statistics(features);
        Assert.True((mean - directMean).abs().max().item<double>() < 1e-9, "fixed point rounds each value by at most 2^-33");
        Assert.True((cov - directCov).abs().max().item<double>() < 1e-8);

        double direct = FrechetDistance.Compute(reference, features);
        Assert.True(direct > 1, $"the sets differ, FD {direct}");
        Assert.True(Math.Abs(direct - merged.FrechetDistanceTo(refStats)) < 1e-6 * direct);

        // any split gives the same integer sums, so the same FD bit for bit
        using var whole = FeatureStatistics.Of(features, logits);
        Assert.True(whole.Sum.eq(merged.Sum).all().item<bool>() && whole.Outer.eq(merged.Outer).all().item<bool>());
        Assert.Equal(whole.FrechetDistanceTo(refStats), merged.FrechetDistanceTo(refStats));

        var (score, histogram) = ClassifierScore.Compute(logits);
        Assert.Equal(score, merged.ClassifierScore(), 10);
        Assert.Equal(histogram, merged.ClassHistogram());
    }

    [Fact]
    public void SavedStatisticsReadBackBitForBit()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(4, CPU);
        using var stats = FeatureStatistics.Of(randn([50, 8], generator: g), randn([50, 10], generator: g));
        string path = Path.Combine(TestTemp.Directory("gensharp-stats").FullName, "s.safetensors");
        stats.Save(path, new Dictionary<string, string> { ["k"] = "v" });
        var (back, metadata) = FeatureStatistics.Load(path);
        using (back)
        {
            Assert.Equal("v", metadata["k"]);
            Assert.Equal(50, back.Count);
            Assert.True(back.Sum.eq(stats.Sum).all().item<bool>() && back.Outer.eq(stats.Outer).all().item<bool>());
            Assert.True(back.ProbabilitySum.eq(stats.ProbabilitySum).all().item<bool>() &&
                back.ClassCounts.eq(stats.ClassCounts).all().item<bool>());
            Assert.Equal(stats.PlogpSum, back.PlogpSum);
        }
    }
}
