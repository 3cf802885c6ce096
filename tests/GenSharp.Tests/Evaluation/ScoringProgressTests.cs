using GenSharp.Evaluation;
using static TorchSharp.torch;

namespace GenSharp.Tests.Evaluation;

/// <summary>The progress of scoring ends exactly at the work it announced, so its bar reaches 100 % and its ETA counts down to 0.</summary>
public sealed class ScoringProgressTests
{
    [Fact]
    public void OneComparisonReportsExactlyItsWork()
    {
        using var scope = NewDisposeScope();
        using var extractor = FeatureExtractor.Load();
        using var g = new Generator(3, CPU);
        var real = rand([30, 1, 28, 28], generator: g) * 2 - 1;
        var generated = rand([20, 1, 28, 28], generator: g) * 2 - 1;
        using var progress = ScoringProgress.Start("test", ScoringProgress.Work(30, 20), quiet: true);
        var report = ImageMetrics.Compute(extractor, real, generated, progress: progress);
        Assert.Equal(30 + 20 + 3 * 30, progress.Done);
        Assert.Equal(ScoringProgress.Work(30, 20), progress.Done);
        Assert.True(double.IsFinite(report.FrechetDistance));
    }

    [Fact]
    public void FloorAndCeilingReportTwoComparisonsInBatches()
    {
        using var scope = NewDisposeScope();
        using var extractor = FeatureExtractor.Load();
        using var g = new Generator(4, CPU);
        var train = rand([600, 1, 28, 28], generator: g) * 2 - 1;
        var heldOut = rand([550, 1, 28, 28], generator: g) * 2 - 1;
        using var progress = ScoringProgress.Start("test", 2 * ScoringProgress.Work(520, 520), quiet: true);
        ReferenceBaselines.Compute(extractor, train, heldOut, n: 520, seed: 0, progress); // 520 images: batches of 500 and 20
        Assert.Equal(2 * ScoringProgress.Work(520, 520), progress.Done);
    }

    [Fact]
    public void TheTwoSampleTestReportsOneUnitPerTrainingImagePerEpoch()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(5, CPU);
        var a = rand([50, 1, 28, 28], generator: g) * 2 - 1;
        var b = rand([40, 1, 28, 28], generator: g) * 2 - 1;
        using var progress = ScoringProgress.Start("test", ClassifierTwoSampleTest.Work(50, 40, epochs: 2), quiet: true);
        ClassifierTwoSampleTest.Run(a, b, seed: 0, epochs: 2, progress: progress);
        Assert.Equal(2 * 40, progress.Done);
    }

    [SkippableFact]
    public void ScoringGivenFeaturesWithAFloorReportsExactlyItsWork()
    {
        Skip.IfNot(GenSharp.Data.FashionMnist.IsAvailable(), "Fashion-MNIST is not installed (build/setup-debian.sh installs it)");
        using var scope = NewDisposeScope();
        using var extractor = FeatureExtractor.Load();
        using var g = new Generator(6, CPU);
        var (features, logits) = extractor.Extract(rand([40, 1, 28, 28], generator: g) * 2 - 1);
        using var stats = FeatureStatistics.Of(features, logits);
        using var progress = ScoringProgress.Start("test", GenSharp.Pipelines.SampleScoring.Work(40), quiet: true);
        var metrics = GenSharp.Pipelines.SampleScoring.Score(extractor, "fashion-mnist", null, 40, 0, stats, features, logits, TextWriter.Null,
            progress);
        Assert.NotNull(metrics["fd_floor"]);                                   // the floor was computed, so every unit was reported
        Assert.Equal(GenSharp.Pipelines.SampleScoring.Work(40), progress.Done);
    }
}
