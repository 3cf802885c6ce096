using GenSharp.Data.Toy;
using GenSharp.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Evaluation;

public sealed class Toy2DMetricsTests
{
    [Trait("Category", "Slow")]
    [Fact]
    public void TrueSamplesScoreAsTrueAndDamagedSamplesDoNot()
    {
        using var scope = NewDisposeScope();
        var mog = ToyDistributions.Mog2();
        using var g = new Generator(21, CPU);
        var reference = mog.Sample(5000, g);
        var good = mog.Sample(5000, g);
        var truth = Toy2DMetrics.Evaluate(good, mog, reference, seed: 1);
        Assert.True(Math.Abs(truth.LogLikelihoodGap) < 0.05, $"gap {truth.LogLikelihoodGap}");
        Assert.True(truth.WeightErrorMax < 0.02);
        Assert.True(Math.Abs(truth.Mmd2) < 0.002);

        // equal weights instead of (0.7, 0.3): the weight error is the imposed imbalance, 0.2
        var balanced = new GaussianMixture2D("balanced", [0.5, 0.5], mog.Means, mog.Covariances).Sample(5000, g);
        var wrong = Toy2DMetrics.Evaluate(balanced, mog, reference, seed: 1);
        Assert.Equal(0.2, wrong.WeightErrorMax!.Value, 0.02);

        // shifted samples: every distance grows well above its floor
        var shifted = Toy2DMetrics.Evaluate(good + 1.5f, mog, reference, seed: 1);
        Assert.True(shifted.SlicedWasserstein > 3 * shifted.ReferenceSlicedWasserstein);
        Assert.True(shifted.Mmd2 > 20 * Math.Abs(truth.Mmd2) + 0.01);
        Assert.True(shifted.LogLikelihoodGap < -0.5);
    }

    [Trait("Category", "Slow")]
    [Fact]
    public void SlicedWassersteinOfAKnownShiftIsTheShift()
    {
        // For two sets differing by a translation d, every projection's W2 equals |<d, u>|, so
        // SW2^2 = E_u <d, u>^2 = |d|^2 / 2 in 2D.
        using var scope = NewDisposeScope();
        using var g = new Generator(4, CPU);
        var a = randn([4000, 2], generator: g);
        var b = a + tensor(new float[] { 3, 4 });
        double sw = Toy2DMetrics.SlicedWasserstein(a, b, projections: 4000, seed: 2);
        Assert.Equal(5 / Math.Sqrt(2), sw, 0.1);
    }
}
