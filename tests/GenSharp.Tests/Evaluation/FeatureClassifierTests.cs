using GenSharp.Data;
using GenSharp.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Evaluation;

/// <summary>
/// The committed feature network (models/fmnist-features-v1.safetensors) and the metrics computed in its
/// feature space, on real Fashion-MNIST. Nothing is retrained here.
/// </summary>
public sealed class FeatureClassifierTests
{
    [Trait("Category", "Slow")]
    [Fact]
    public void CommittedWeightsReachTheRequiredTestAccuracyAndTheOneTheyRecord()
    {
        using var extractor = FeatureExtractor.Load();
        using var test = FashionMnist.Load(FashionMnistSplit.Test);
        using var scope = NewDisposeScope();
        var (features, logits) = extractor.Extract(test.Images);
        Assert.Equal(new long[] { 10_000, new FeatureClassifierConfig().FeatureDim }, features.shape);
        double accuracy = logits.argmax(1).eq(test.Labels!).to_type(ScalarType.Float64).mean().item<double>();
        Assert.True(accuracy >= 0.93, $"{extractor.Version} test accuracy {accuracy:P2} is below the required 93%");
        double recorded = double.Parse(extractor.Metadata["test_accuracy"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(recorded, accuracy, 3);
        Assert.Equal(FeatureClassifierConfig.Version, extractor.Version);
    }

    [Fact]
    public void WrongShapesAndForeignFilesAreRefusedClearly()
    {
        using var extractor = FeatureExtractor.Load();
        using var scope = NewDisposeScope();
        var e = Assert.Throws<ConfigException>(() => extractor.Extract(zeros([2, 3, 28, 28])));
        Assert.Contains("(N, 1, 28, 28)", e.Message);

        string foreign = Path.Combine(TestTemp.Directory("gensharp-fx").FullName, "other.safetensors");
        GenSharp.Training.Safetensors.Save(foreign, [KeyValuePair.Create("weight", zeros([3, 3]))], new Dictionary<string, string>());
        var c = Assert.Throws<CheckpointException>(() => FeatureExtractor.Load(foreign));
        Assert.Contains("not fmnist-features-v1 weights", c.Message);
    }

    /// <summary>
    /// models/fmnist-features-v1.safetensors.sha256 (sha256sum format) records the committed weights' hash; the code's
    /// <see cref="FeatureClassifierConfig.Sha256"/> agrees with it, and the copy the program loads (beside the program,
    /// copied by the build) is that same file.
    /// </summary>
    [Fact]
    public void CommittedWeightsMatchTheirRecordedChecksumAndTheLoadedCopyIsThatFile()
    {
        string models = Path.Combine(RepositoryRoot(), "models");
        string[] record = File.ReadAllText(Path.Combine(models, FeatureClassifierConfig.FileName + ".sha256")).Trim().Split("  ");
        Assert.Equal(FeatureClassifierConfig.FileName, record[1]);
        Assert.Equal(record[0], FeatureExtractor.Sha256Of(Path.Combine(models, FeatureClassifierConfig.FileName)));
        Assert.Equal(FeatureClassifierConfig.Sha256, record[0]);
        string loaded = FeatureExtractor.DefaultPath();
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "models", FeatureClassifierConfig.FileName), loaded);
        Assert.Equal(record[0], FeatureExtractor.Sha256Of(loaded));
    }

    /// <summary>Weights whose bytes differ from the committed file are refused with a one-line fix, never labelled fmnist-features-v1.</summary>
    [Fact]
    public void ModifiedWeightsAreRefusedRatherThanLabelledWithTheCommittedVersion()
    {
        string modified = Path.Combine(TestTemp.Directory("gensharp-fxmod").FullName, FeatureClassifierConfig.FileName);
        File.Copy(FeatureExtractor.DefaultPath(), modified);
        var bytes = File.ReadAllBytes(modified);
        bytes[^1] ^= 0x01; // the last byte of the last tensor: same keys and shapes, different weights
        File.WriteAllBytes(modified, bytes);

        var e = Assert.Throws<DataFileException>(() => FeatureExtractor.Load(modified));
        Assert.Contains($"git checkout -- models/{FeatureClassifierConfig.FileName}", e.Message);
        Assert.Contains(FeatureClassifierConfig.Sha256[..16], e.Message);
        Assert.DoesNotContain('\n', e.Message);

        using var probe = ImageQualityProbe.TryCreate(100, null, CPU, out string? skipped, modified);
        Assert.Null(probe);
        Assert.Contains("differs from the committed", skipped);
    }

    /// <summary>The folder that holds GenSharp.slnx, above the test assembly.</summary>
    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GenSharp.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"no GenSharp.slnx above {AppContext.BaseDirectory}");
    }

    /// <summary>
    /// The yardstick must order corruption correctly: real test images corrupted by Gaussian noise or blur of
    /// increasing strength move further from the (uncorrupted) training images in FD and KID, and fewer of
    /// them fall inside the real manifold (precision).
    /// </summary>
    [Trait("Category", "Slow")]
    [Fact]
    public void MetricsAreMonotoneUnderIncreasingNoiseAndBlur()
    {
        const int n = 2000;
        using var extractor = FeatureExtractor.Load();
        using var train = FashionMnist.Load(FashionMnistSplit.Train, limit: n);
        using var test = FashionMnist.Load(FashionMnistSplit.Test, limit: n);
        using var scope = NewDisposeScope();
        using var g = new Generator(11, CPU);
        var (real, _) = extractor.Extract(train.Images);

        ImageMetricsReport Score(Tensor images)
        {
            var (f, logits) = extractor.Extract(images.clamp(-1, 1));
            return ImageMetrics.FromFeatures(extractor.Version, real, f, logits, seed: 1);
        }

        var noise = new[] { 0.0, 0.05, 0.15, 0.3 }
            .Select(s => Score(test.Images + s * randn(test.Images.shape, generator: g))).ToList();
        var blur = new[] { 0.0, 0.6, 1.0, 1.6 }.Select(s => Score(Blur(test.Images, s))).ToList();

        foreach (var (name, series) in new[] { ("noise", noise), ("blur", blur) })
        {
            string trace = string.Join(" | ", series.Select(r => $"FD {r.FrechetDistance:F3} KID {r.Kid:F4} P {r.Precision:F3}"));
            for (int i = 1; i < series.Count; i++)
            {
                Assert.True(series[i].FrechetDistance > series[i - 1].FrechetDistance, $"{name}: FD not increasing: {trace}");
                Assert.True(series[i].Kid > series[i - 1].Kid, $"{name}: KID not increasing: {trace}");
                Assert.True(series[i].Precision < series[i - 1].Precision, $"{name}: precision not decreasing: {trace}");
            }
            // uncorrupted test images against training images: the floor is far below the strongest corruption
            Assert.True(series[0].FrechetDistance < 0.2 * series[^1].FrechetDistance, $"{name}: floor not well below corruption: {trace}");
        }
    }

    /// <summary>Separable Gaussian blur with standard deviation <paramref name="sigma"/> pixels (identity for 0).</summary>
    private static Tensor Blur(Tensor images, double sigma)
    {
        if (sigma == 0) return images.clone();
        int radius = (int)Math.Ceiling(3 * sigma);
        var offsets = arange(-radius, radius + 1, dtype: ScalarType.Float32);
        var k = exp(-offsets.pow(2) / (2 * sigma * sigma));
        k = k / k.sum();
        var padded = nn.functional.pad(images, [radius, radius, radius, radius], PaddingModes.Replicate);
        var rows = nn.functional.conv2d(padded, k.reshape(1, 1, 1, -1));
        return nn.functional.conv2d(rows, k.reshape(1, 1, -1, 1));
    }
}
