using System.Diagnostics;
using static TorchSharp.torch;

namespace GenSharp.Evaluation;

/// <summary>Every image metric of one comparison, with the feature extractor's version.</summary>
public sealed record ImageMetricsReport(
    string Extractor, int NReal, int NGenerated,
    double FrechetDistance, double Kid, double KidStandardError, double Precision, double Recall,
    double ClassifierScore, double[] ClassHistogram, double Seconds)
{
    public IReadOnlyDictionary<string, double?> ToDictionary() => new Dictionary<string, double?>
    {
        ["fd"] = FrechetDistance,
        ["kid"] = Kid,
        ["kid_std_error"] = KidStandardError,
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
    public static ImageMetricsReport FromFeatures(string extractor, Tensor real, Tensor generated, Tensor? generatedLogits, long seed = 0, Stopwatch? clock = null)
    {
        clock ??= Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        double fd = FrechetDistance.Compute(real, generated);
        var (kid, kidSe) = KernelInceptionDistance.Compute(real, generated, seed: seed);
        var (precision, recall) = PrecisionRecall.Compute(real, generated);
        var (score, histogram) = generatedLogits is null ? (double.NaN, Array.Empty<double>()) : ClassifierScore.Compute(generatedLogits);
        return new ImageMetricsReport(extractor, (int)real.shape[0], (int)generated.shape[0], fd, kid, kidSe, precision, recall, score, histogram, clock.Elapsed.TotalSeconds);
    }
}
