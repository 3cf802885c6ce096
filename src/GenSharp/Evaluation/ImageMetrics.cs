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
    /// <summary>Scores <paramref name="generated"/> (N, 1, 28, 28) against <paramref name="real"/> with the given extractor.</summary>
    public static ImageMetricsReport Compute(FeatureExtractor extractor, Tensor real, Tensor generated, long seed = 0)
    {
        var clock = Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        var (fr, _) = extractor.Extract(real);
        var (fg, lg) = extractor.Extract(generated);
        return FromFeatures(extractor.Version, fr, fg, lg, seed, clock);
    }

    /// <summary>The same from precomputed features (and the generated logits, if any).</summary>
    public static ImageMetricsReport FromFeatures(string extractor, Tensor real, Tensor generated, Tensor? generatedLogits, long seed = 0,
        Stopwatch? clock = null)
    {
        clock ??= Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        double fd = FrechetDistance.Compute(real, generated);
        var (kid, kidStd) = KernelInceptionDistance.Compute(real, generated, seed: seed);
        var (precision, recall) = PrecisionRecall.Compute(real, generated);
        var (score, histogram) = generatedLogits is null ? (double.NaN, Array.Empty<double>()) : ClassifierScore.Compute(generatedLogits);
        return new ImageMetricsReport(extractor, (int)real.shape[0], (int)generated.shape[0], fd, kid, kidStd, precision, recall, score, histogram,
            clock.Elapsed.TotalSeconds);
    }
}
