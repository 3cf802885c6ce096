using GenSharp.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Evaluation;

/// <summary>
/// The floor and the ceiling every image score is read against (SPEC §7): real-vs-real (n training
/// images against n test images) and a noise baseline (uniform noise images against the test images).
/// </summary>
public static class ReferenceBaselines
{
    public sealed record Result(ImageMetricsReport RealVsReal, ImageMetricsReport NoiseVsReal);

    public static Result Compute(FeatureExtractor extractor, int n = 10_000, long seed = 0, string? dataDir = null)
    {
        using var train = FashionMnist.Load(FashionMnistSplit.Train, dataDir);
        using var test = FashionMnist.Load(FashionMnistSplit.Test, dataDir);
        if (n < 10 || n > test.Count) throw new ConfigException($"--n {n}: must be between 10 and {test.Count}");
        using var scope = NewDisposeScope();
        using var g = new Generator((ulong)seed, CPU);
        var real = test.Images.narrow(0, 0, n);
        var trainSubset = train.Images.index_select(0, randperm(train.Count, generator: g)[..n]);
        var noise = rand([n, 1, 28, 28], generator: g) * 2 - 1;
        var realVsReal = ImageMetrics.Compute(extractor, real, trainSubset, seed);
        var noiseVsReal = ImageMetrics.Compute(extractor, real, noise, seed);
        return new Result(realVsReal, noiseVsReal);
    }

    /// <summary>
    /// The FD floor of a metric-over-training curve at its n: FD of <paramref name="n"/> random training images (drawn with
    /// <paramref name="seed"/> + 17) against the same reference features the samples are scored against, so that a
    /// curve point and its floor differ only in where the n images came from.
    /// </summary>
    public static double FdFloor(FeatureExtractor extractor, Tensor trainImages, Tensor referenceFeatures, int n, long seed)
    {
        if (n < 2 || n > trainImages.shape[0]) throw new ConfigException($"FD floor of {n} training images: needs between 2 and {trainImages.shape[0]}");
        using var scope = NewDisposeScope();
        using var g = new Generator((ulong)seed + 17, CPU);
        var (trainFeatures, _) = extractor.Extract(trainImages.index_select(0, randperm(trainImages.shape[0], generator: g)[..n]));
        return FrechetDistance.Compute(trainFeatures, referenceFeatures);
    }
}
