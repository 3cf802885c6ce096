using GenSharp.Data;
using GenSharp.Evaluation;
using static TorchSharp.torch;

namespace GenSharp.Pipelines;

/// <summary>
/// Scores generated images given as <see cref="FeatureStatistics"/> (and, when kept, their feature matrix) against the first n held-out
/// images of the run's data, as <see cref="ImageRunEvaluation"/> does from the images themselves (docs/evaluation.md): FD from the
/// statistics, KID and precision/recall from the features, the classifier score, the class histogram's entropy and largest share, and
/// the real-vs-real floor and noise ceiling at the same n (<see cref="ReferenceBaselines"/>). Used by <c>eval merge</c> and <c>compare</c>.
/// </summary>
public static class SampleScoring
{
    /// <summary>
    /// The metrics (eval.json names; null where the features were not kept or the data give no floor). Reports at most
    /// <see cref="Work"/>(n) units to <paramref name="progress"/> (fewer when the features were not kept or there is no floor).
    /// </summary>
    public static Dictionary<string, double?> Score(FeatureExtractor extractor, string data, HeldOutSplit? heldOut, int n, long seed,
        FeatureStatistics generated, Tensor? features, Tensor? logits, TextWriter notes, ScoringProgress? progress = null)
    {
        using var scope = NewDisposeScope();
        using var held = RunImages.HeldOut(data, heldOut);
        int nReference = Math.Min(n, held.Count);
        if (nReference < 10) throw new ConfigException($"--data {data}: holds out {held.Count} images; scoring needs at least 10");
        var (fr, lr) = extractor.Extract(held.Images.narrow(0, 0, nReference), progress: progress);
        using var reference = FeatureStatistics.Of(fr, lr);
        var histogram = generated.ClassHistogram();
        var metrics = new Dictionary<string, double?>
        {
            ["fd"] = generated.FrechetDistanceTo(reference),
            ["kid"] = null, ["kid_std"] = null, ["precision"] = null, ["recall"] = null,
            ["classifier_score"] = generated.ClassifierScore(),
            ["largest_class_fraction"] = histogram.Max(),
            ["class_entropy_nats"] = -histogram.Where(h => h > 0).Sum(h => h * Math.Log(h)),
        };
        if (features is not null)
        {
            var report = ImageMetrics.FromFeatures(extractor.Version, fr, features, logits, seed, progress: progress);
            (metrics["kid"], metrics["kid_std"]) = (report.Kid, report.KidStd);
            (metrics["precision"], metrics["recall"]) = (report.Precision, report.Recall);
        }
        using var train = RunImages.Train(data, heldOut);
        string? unavailable = ReferenceBaselines.Unavailable(data, heldOut, train.Count, held.Count, n);
        if (unavailable is null)
        {
            var baselines = ReferenceBaselines.Compute(extractor, train.Images, held.Images, nReference, seed, progress);
            BaselineTable.AddBaselineMetrics(metrics, baselines.RealVsReal, baselines.NoiseVsReal);
        }
        else
        {
            notes.WriteLine($"note: no floor: {unavailable}");
        }
        metrics["n_reference"] = nReference;
        return metrics;
    }

    /// <summary>Progress units of <see cref="Score"/> for n generated images whose features are given (n reference images at most).</summary>
    public static long Work(long n) => n + 3 * n + 2 * ScoringProgress.Work(n, n);
}
