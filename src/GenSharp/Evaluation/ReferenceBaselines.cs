using GenSharp.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Evaluation;

/// <summary>
/// The floor and the ceiling every image score is read against (docs/evaluation.md#floor-and-ceiling), computed here and nowhere else, always from
/// the run's own data (<see cref="RunImages"/>): real-vs-real (n training images against the n held-out images the samples are scored
/// against) and a noise baseline (uniform noise images against the same held-out images). Where the data cannot give a floor
/// at the requested n, <see cref="Unavailable"/> says why, and no number is reported.
/// </summary>
public static class ReferenceBaselines
{
    public sealed record Result(ImageMetricsReport RealVsReal, ImageMetricsReport NoiseVsReal);

    /// <summary>
    /// Why a run on <paramref name="data"/> has no floor for <paramref name="n"/> samples, or null when it has one: a PNG run without a
    /// declared held-out split, or fewer held-out or training images than n.
    /// </summary>
    public static string? Unavailable(string data, HeldOutSplit? heldOut, int trainCount, int heldOutCount, int n)
    {
        if (DataSpec.Parse(data) is DataSpec.PngImages && heldOut is null)
            return $"{data} declares no held-out split (the run was created before GenSharp held images out of PNG folders): " +
                   "its samples are scored against the training images themselves, and no floor is computed";
        if (heldOutCount < n)
            return $"{data} holds out only {heldOutCount} images, fewer than the {n} samples scored, so there is no floor or ceiling at n = {n}";
        if (trainCount < n)
            return $"{data} has only {trainCount} training images, fewer than the {n} samples scored, so there is no floor or ceiling at n = {n}";
        return null;
    }

    /// <summary>
    /// Floor and ceiling at <paramref name="n"/>: n random training images (drawn with <paramref name="seed"/>) and n uniform noise images
    /// against the first n held-out images. Check <see cref="Unavailable"/> first. Reports 2 <see cref="ScoringProgress.Work"/>(n, n) units.
    /// </summary>
    public static Result Compute(FeatureExtractor extractor, Tensor trainImages, Tensor heldOutImages, int n, long seed,
        ScoringProgress? progress = null)
    {
        if (n < 10 || n > heldOutImages.shape[0] || n > trainImages.shape[0])
            throw new ConfigException($"--n {n}: must be between 10 and {Math.Min(heldOutImages.shape[0], trainImages.shape[0])}");
        using var scope = NewDisposeScope();
        using var g = new Generator((ulong)seed, CPU);
        var real = heldOutImages.narrow(0, 0, n);
        var trainSubset = trainImages.index_select(0, randperm(trainImages.shape[0], generator: g)[..n].to(trainImages.device));
        var noise = rand([n, .. heldOutImages.shape[1..]], generator: g) * 2 - 1;
        var realVsReal = ImageMetrics.Compute(extractor, real, trainSubset, seed, progress);
        var noiseVsReal = ImageMetrics.Compute(extractor, real, noise, seed, progress);
        return new Result(realVsReal, noiseVsReal);
    }

    /// <summary>The same on Fashion-MNIST (optionally from <paramref name="dataDir"/>): n training images against the first n test images.</summary>
    public static Result Compute(FeatureExtractor extractor, int n = 10_000, long seed = 0, string? dataDir = null,
        ScoringProgress? progress = null) =>
        ComputeFor(extractor, dataDir is null ? "fashion-mnist" : "fashion-mnist:" + dataDir, n, seed, progress);

    /// <summary>
    /// The same on an image run's <c>--data</c> without a PNG split (Fashion-MNIST, or <c>captcha[:OPTIONS]</c>: n CAPTCHAs of
    /// training strings against the first n of test strings, docs/captcha.md#fd).
    /// </summary>
    public static Result ComputeFor(FeatureExtractor extractor, string data, int n, long seed = 0, ScoringProgress? progress = null)
    {
        using var train = RunImages.Train(data, null);
        using var test = RunImages.HeldOut(data, null);
        if (n < 10 || n > test.Count) throw new ConfigException($"--n {n}: must be between 10 and {test.Count} (the held-out images of {data})");
        return Compute(extractor, train.Images, test.Images, n, seed, progress);
    }

    /// <summary>
    /// The FD floor of a metric-over-training curve at its n: FD of <paramref name="n"/> random training images (drawn with
    /// <paramref name="seed"/> + 17) against the same reference features the samples are scored against, so that a
    /// curve point and its floor differ only in where the n images came from.
    /// </summary>
    public static double FdFloor(FeatureExtractor extractor, Tensor trainImages, Tensor referenceFeatures, int n, long seed)
    {
        if (n < 2 || n > trainImages.shape[0])
            throw new ConfigException($"FD floor of {n} training images: needs between 2 and {trainImages.shape[0]}");
        using var scope = NewDisposeScope();
        using var g = new Generator((ulong)seed + 17, CPU);
        var picked = randperm(trainImages.shape[0], generator: g)[..n].to(trainImages.device);
        var (trainFeatures, _) = extractor.Extract(trainImages.index_select(0, picked));
        return FrechetDistance.Compute(trainFeatures, referenceFeatures);
    }
}
