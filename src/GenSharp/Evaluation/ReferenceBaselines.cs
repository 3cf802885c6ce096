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
}
