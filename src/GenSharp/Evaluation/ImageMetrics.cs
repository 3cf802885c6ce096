using System.Diagnostics;
using static TorchSharp.torch;

namespace GenSharp.Evaluation;

/// <summary>
/// Every image metric of one comparison, with the feature extractor's version. <see cref="KidStd"/> is the standard
/// deviation of KID over its random subsets (eval.json <c>kid_std</c>; files written before it hold <c>kid_std_error</c>,
/// that spread divided by sqrt(50)).
/// </summary>
public sealed record ImageMetricsReport(
    string Extractor, int NReal, int NGenerated,
    double FrechetDistance, double Kid, double KidStd, double Precision, double Recall,
    double ClassifierScore, double[] ClassHistogram, double Seconds)
{
    public IReadOnlyDictionary<string, double?> ToDictionary() => new Dictionary<string, double?>
    {
        ["fd"] = FrechetDistance,
        ["kid"] = Kid,
        ["kid_std"] = KidStd,
        ["precision"] = Precision,
        ["recall"] = Recall,
        ["classifier_score"] = ClassifierScore,
    };
}

/// <summary>FD, KID, precision/recall and the classifier score of generated images against real ones.</summary>
public static class ImageMetrics
{
    /// <summary>
    /// Scores <paramref name="generated"/> (N, 1, 28, 28) against <paramref name="real"/> with the given extractor, reporting
    /// <see cref="ScoringProgress.Work"/>(real, generated) units to <paramref name="progress"/>.
    /// </summary>
    public static ImageMetricsReport Compute(FeatureExtractor extractor, Tensor real, Tensor generated, long seed = 0,
        ScoringProgress? progress = null)
    {
        var clock = Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        var (fr, _) = extractor.Extract(real, progress: progress);
        var (fg, lg) = extractor.Extract(generated, progress: progress);
        return FromFeatures(extractor.Version, fr, fg, lg, seed, clock, progress);
    }

    /// <summary>The same from precomputed features (and the generated logits, if any).</summary>
    public static ImageMetricsReport FromFeatures(string extractor, Tensor real, Tensor generated, Tensor? generatedLogits, long seed = 0,
        Stopwatch? clock = null, ScoringProgress? progress = null)
    {
        clock ??= Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        long unit = Math.Max(real.shape[0], generated.shape[0]);
        double fd = FrechetDistance.Compute(real, generated);
        progress?.Advance(unit);
        var (kid, kidStd) = KernelInceptionDistance.Compute(real, generated, seed: seed);
        progress?.Advance(unit);
        var (precision, recall) = PrecisionRecall.Compute(real, generated);
        progress?.Advance(unit);
        var (score, histogram) = generatedLogits is null ? (double.NaN, Array.Empty<double>()) : ClassifierScore.Compute(generatedLogits);
        return new ImageMetricsReport(extractor, (int)real.shape[0], (int)generated.shape[0], fd, kid, kidStd, precision, recall, score, histogram,
            clock.Elapsed.TotalSeconds);
    }
}
