using GenSharp.Data;
using GenSharp.Output;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Evaluation;

/// <summary>
/// Scores generated Fashion-MNIST images during and after training (FD, KID, precision/recall,
/// classifier score and the predicted-class histogram) against the first <c>n</c> test images, whose
/// features are computed once. When the committed feature-classifier weights are absent,
/// <see cref="TryCreate"/> returns null with a one-line reason, so training goes on without metrics.
/// </summary>
public sealed class ImageQualityProbe : IDisposable
{
    private readonly FeatureExtractor _extractor;
    private readonly Tensor _realFeatures;
    private readonly string? _dataDir;

    private ImageQualityProbe(FeatureExtractor extractor, Tensor realFeatures, string? dataDir)
    {
        _extractor = extractor;
        _realFeatures = realFeatures;
        _dataDir = dataDir;
    }

    /// <summary>The feature network's version, named beside every score.</summary>
    public string Version => _extractor.Version;

    /// <summary>Number of real (test) images the scores compare against.</summary>
    public int RealCount => (int)_realFeatures.shape[0];

    /// <summary>
    /// Loads the feature network and the reference features of the first <paramref name="nReal"/> test
    /// images; null (with the reason in <paramref name="skipped"/>) if the weights or the data are missing.
    /// </summary>
    public static ImageQualityProbe? TryCreate(int nReal, string? dataDir, Device device, out string? skipped, string? weightsPath = null)
    {
        FeatureExtractor extractor;
        try
        {
            extractor = FeatureExtractor.Load(weightsPath, device);
        }
        catch (DataFileException e)
        {
            skipped = e.Message;
            return null;
        }
        try
        {
            using var test = FashionMnist.Load(FashionMnistSplit.Test, dataDir, PixelRange.MinusOneToOne, limit: nReal);
            var (features, _) = extractor.Extract(test.Images);
            skipped = null;
            return new ImageQualityProbe(extractor, features.DetachFromDisposeScope(), dataDir);
        }
        catch
        {
            extractor.Dispose();
            throw;
        }
    }

    /// <summary>Scores (N, 1, 28, 28) images in [-1, 1].</summary>
    public ImageMetricsReport Score(Tensor generated, long seed = 0)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        var (fg, lg) = _extractor.Extract(generated);
        return ImageMetrics.FromFeatures(Version, _realFeatures, fg, lg, seed, clock);
    }

    /// <summary>
    /// The floor (as many random training images as real ones, against the same first test images) and the noise
    /// ceiling at this probe's n, so that a final score can be read beside them.
    /// </summary>
    public ReferenceBaselines.Result Baselines(long seed = 0) => ReferenceBaselines.Compute(_extractor, RealCount, seed, _dataDir);

    /// <summary>FD of <paramref name="n"/> random training images against this probe's test images: the floor of a score of n samples.</summary>
    public double FdFloor(int n, long seed = 0)
    {
        using var train = FashionMnist.Load(FashionMnistSplit.Train, _dataDir, PixelRange.MinusOneToOne);
        return ReferenceBaselines.FdFloor(_extractor, train.Images, _realFeatures, n, seed);
    }

    /// <summary>
    /// The final evaluation of a GAN or VAE run: scores <paramref name="generated"/>, adds them to <paramref name="metrics"/>
    /// with <c>largest_class_fraction</c> and the floor and ceiling at this probe's n (<c>*_floor</c>, <c>*_noise</c>),
    /// and plots the predicted-class histogram to <paramref name="classHistogramPng"/>.
    /// </summary>
    public (ImageMetricsReport Scores, ReferenceBaselines.Result Baselines) ScoreWithBaselines(
        Tensor generated, long seed, IDictionary<string, double?> metrics, string classHistogramPng)
    {
        var scores = Score(generated, seed);
        foreach (var (k, v) in scores.ToDictionary()) metrics[k] = v;
        metrics["largest_class_fraction"] = scores.ClassHistogram.Max();
        var baselines = Baselines(seed);
        BaselineTable.AddBaselineMetrics(metrics, baselines.RealVsReal, baselines.NoiseVsReal);
        SaveClassHistogram(scores.ClassHistogram, classHistogramPng, $"predicted classes of {scores.NGenerated} samples");
        return (scores, baselines);
    }

    /// <summary>Bar plot of the fraction of samples per predicted Fashion-MNIST class, with the uniform 1/10 marked: mode collapse shows as one tall
    /// bar.</summary>
    public static void SaveClassHistogram(IReadOnlyList<double> histogram, string path, string title) =>
        new BarPlot(FashionMnist.ClassNames, histogram)
        {
            Title = title,
            YLabel = "fraction",
            Reference = 1.0 / FashionMnist.ClassNames.Count,
        }.Save(path);

    public void Dispose()
    {
        _realFeatures.Dispose();
        _extractor.Dispose();
    }
}
