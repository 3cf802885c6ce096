using GenSharp.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Evaluation;

public sealed class FrechetDistanceTests
{
    /// <summary>
    /// Independent closed form in 2D: the eigenvalues of S1 S2 are real and positive, so
    /// Tr((S1 S2)^(1/2)) = sqrt(l1) + sqrt(l2) = sqrt(tr(S1 S2) + 2 sqrt(det(S1 S2))).
    /// </summary>
    private static double ClosedForm2D(double[] m1, double[,] s1, double[] m2, double[,] s2)
    {
        double p00 = s1[0, 0] * s2[0, 0] + s1[0, 1] * s2[1, 0], p11 = s1[1, 0] * s2[0, 1] + s1[1, 1] * s2[1, 1];
        double det = (s1[0, 0] * s1[1, 1] - s1[0, 1] * s1[1, 0]) * (s2[0, 0] * s2[1, 1] - s2[0, 1] * s2[1, 0]);
        double trSqrt = Math.Sqrt(p00 + p11 + 2 * Math.Sqrt(det));
        double mean = Math.Pow(m1[0] - m2[0], 2) + Math.Pow(m1[1] - m2[1], 2);
        return mean + s1[0, 0] + s1[1, 1] + s2[0, 0] + s2[1, 1] - 2 * trSqrt;
    }

    private static Tensor Matrix(double[,] m) => tensor(new[] { m[0, 0], m[0, 1], m[1, 0], m[1, 1] }, dtype: ScalarType.Float64).reshape(2, 2);

    [Fact]
    public void EqualsTheClosedFormForTwoGaussiansExactlyAndFromLargeSamples()
    {
        using var scope = NewDisposeScope();
        double[] m1 = [1, -2], m2 = [0.5, 1];
        double[,] s1 = { { 2.0, 0.8 }, { 0.8, 1.0 } }, s2 = { { 0.5, -0.3 }, { -0.3, 3.0 } };
        double expected = ClosedForm2D(m1, s1, m2, s2);
        double exact = FrechetDistance.FromStatistics(tensor(m1), Matrix(s1), tensor(m2), Matrix(s2));
        Assert.Equal(expected, exact, 10);

        using var g = new Generator(3, CPU);
        Tensor Draw(double[] m, double[,] s) =>
            tensor(m).unsqueeze(0) + randn([400_000, 2], dtype: ScalarType.Float64, generator: g).matmul(linalg.cholesky(Matrix(s)).T);
        double sampled = FrechetDistance.Compute(Draw(m1, s1), Draw(m2, s2));
        Assert.Equal(expected, sampled, 0.03 * expected);
    }

    [Fact]
    public void IsZeroForIdenticalSetsAndMatchesTheDiagonalFormulaInHigherDimension()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(5, CPU);
        var x = randn([3000, 64], generator: g) * 2 + 1;
        Assert.Equal(0, FrechetDistance.Compute(x, x), 6);

        // diagonal covariances commute: FD = |m1 - m2|^2 + sum_i (sqrt(a_i) - sqrt(b_i))^2
        var a = rand([16], dtype: ScalarType.Float64, generator: g) + 0.5;
        var b = rand([16], dtype: ScalarType.Float64, generator: g) + 0.5;
        var m1 = randn([16], dtype: ScalarType.Float64, generator: g);
        var m2 = randn([16], dtype: ScalarType.Float64, generator: g);
        double expected = (m1 - m2).pow(2).sum().item<double>() + (a.sqrt() - b.sqrt()).pow(2).sum().item<double>();
        Assert.Equal(expected, FrechetDistance.FromStatistics(m1, diag(a), m2, diag(b)), 9);
    }

    [Fact]
    public void KidIsNearZeroForTheSameDistributionAndPositiveForDifferentOnes()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(8, CPU);
        var x = randn([2000, 32], generator: g);
        var y = randn([2000, 32], generator: g);
        var (same, std) = KernelInceptionDistance.Compute(x, y, subsets: 20, subsetSize: 1000);
        Assert.True(Math.Abs(same) < 2 * std + 1e-3, $"KID {same} +- {std}");
        var (different, _) = KernelInceptionDistance.Compute(x, y + 0.5f, subsets: 20, subsetSize: 1000);
        Assert.True(different > 10 * Math.Abs(same) + 0.01);
    }

    [Fact]
    public void KidStdIsARealSpreadWhenTheSetsAreNoLargerThanASubset()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(10, CPU);
        var x = randn([600, 16], generator: g);
        var y = randn([600, 16], generator: g) + 0.2f;
        var (kid, std) = KernelInceptionDistance.Compute(x, y, subsets: 30, subsetSize: 1000);
        Assert.True(std > 1e-6 * Math.Abs(kid) && std > 1e-9, $"KID {kid} +- {std}: subsets of the whole set would give a zero spread");
        Assert.True(kid > std, $"a 0.2 shift in every coordinate should be detected: KID {kid} +- {std}");
    }

    /// <summary>
    /// The reported spread is the standard deviation of KID over subsets (torchmetrics' kid_std), a property of one
    /// subset's estimate: it stays put when more subsets are drawn, where a standard error std / sqrt(subsets) would
    /// shrink about 4.5-fold from 10 to 200 subsets.
    /// </summary>
    [Fact]
    public void KidSpreadIsTheStdOverSubsetsAndDoesNotShrinkWithMoreSubsets()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(12, CPU);
        var x = randn([1500, 16], generator: g);
        var y = randn([1500, 16], generator: g) + 0.1f;
        var (_, few) = KernelInceptionDistance.Compute(x, y, subsets: 10, subsetSize: 300, seed: 3);
        var (_, many) = KernelInceptionDistance.Compute(x, y, subsets: 200, subsetSize: 300, seed: 3);
        double ratio = few / many;
        Assert.True(ratio > 0.5 && ratio < 2, $"std over 10 subsets {few}, over 200 subsets {many}: ratio {ratio:F2} should " +
            $"be near 1, not sqrt(20) = 4.5");
    }

    [Fact]
    public void PrecisionAndRecallSeparateQualityFromCoverage()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(9, CPU);
        var real = randn([2000, 8], generator: g);
        var (p, r) = PrecisionRecall.Compute(real, randn([2000, 8], generator: g));
        Assert.True(p > 0.8 && r > 0.8, $"same distribution: precision {p}, recall {r}");
        // collapsed generator: samples sit in the middle of the real data (precise) but cover little
        var (pc, rc) = PrecisionRecall.Compute(real, randn([2000, 8], generator: g) * 0.2f);
        Assert.True(pc > 0.9 && rc < 0.3, $"collapsed: precision {pc}, recall {rc}");
        // far-off generator: nothing is inside the real manifold
        var (pf, _) = PrecisionRecall.Compute(real, randn([2000, 8], generator: g) + 10);
        Assert.True(pf < 0.01);
    }

    [Fact]
    public void ClassifierScoreIsTheClassCountForConfidentBalancedPredictionsAndOneForCollapse()
    {
        using var scope = NewDisposeScope();
        var balanced = eye(10).repeat(100, 1) * 50;               // confident, all classes equally
        var (score, histogram) = ClassifierScore.Compute(balanced);
        Assert.Equal(10, score, 3);
        Assert.All(histogram, h => Assert.Equal(0.1, h, 9));
        var collapsed = zeros([1000, 10]);
        collapsed[.., 3] = tensor(50f);
        var (one, hist) = ClassifierScore.Compute(collapsed);
        Assert.Equal(1, one, 6);
        Assert.Equal(1, hist[3], 9);
    }
}
