using GenSharp.Score;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Score;

public sealed class Ncsnv2TechniquesTests
{
    /// <summary>Phi(b) - Phi(a) by composite Simpson integration of the normal density (independent of the library's erfc).</summary>
    private static double NormalMass(double a, double b, int intervals = 20000)
    {
        double h = (b - a) / intervals, sum = 0;
        for (int i = 0; i <= intervals; i++)
        {
            double x = a + i * h, f = Math.Exp(-x * x / 2) / Math.Sqrt(2 * Math.PI);
            sum += (i == 0 || i == intervals ? 1 : i % 2 == 1 ? 4 : 2) * f;
        }
        return sum * h / 3;
    }

    private static double IndependentGamma(int d, double c)
    {
        double F(double g) => NormalMass(Math.Sqrt(2.0 * d) * (g - 1) - 3 * g, Math.Sqrt(2.0 * d) * (g - 1) + 3 * g) - c;
        double lo = 1, hi = 3;
        for (int i = 0; i < 60; i++)
        {
            double mid = (lo + hi) / 2;
            if (F(mid) > 0) lo = mid; else hi = mid;
        }
        return (lo + hi) / 2;
    }

    [Theory]
    [InlineData(0.0, 0.5)]
    [InlineData(1.96, 0.97500210485177952)]
    [InlineData(-3.0, 0.0013498980316300946)]
    [InlineData(5.0, 0.99999971334842808)]
    public void NormalCdfMatchesReferenceValues(double x, double expected) =>
        Assert.Equal(expected, StandardNormal.Cdf(x), 1e-13);

    [Theory]
    [InlineData(3072)]
    [InlineData(784)]
    [InlineData(100)]
    public void GammaSolvesTheOverlapEquation(int d)
    {
        double gamma = Ncsnv2Techniques.SolveGamma(d)!.Value;
        Assert.Equal(IndependentGamma(d, 0.5), gamma, 1e-8);
        Assert.Equal(0.5, Ncsnv2Techniques.Overlap(gamma, d), 1e-10);
    }

    [Fact]
    public void CifarSizedRootAndThePublishedChoice()
    {
        // D = 3072: the root of the equation with C = 0.5, to three decimals, and the step size the paper
        // published for its own gamma = (50 / 0.01)^(1/231) (L = 232) and T = 5: eps = 6.2e-6.
        Assert.Equal(1.040, Math.Round(Ncsnv2Techniques.SolveGamma(3072)!.Value, 3), 12);
        double published = Math.Pow(50 / 0.01, 1.0 / 231);
        var (eps, _) = Ncsnv2Techniques.ChooseEps(5, published, 0.01);
        Assert.Equal(6.2e-6, eps, 0.05e-6);
    }

    [Fact]
    public void NoRootInVeryFewDimensions()
    {
        Assert.Null(Ncsnv2Techniques.SolveGamma(2));
        Assert.Null(Ncsnv2Techniques.SolveGamma(4));
        Assert.NotNull(Ncsnv2Techniques.SolveGamma(5));
        Assert.Throws<ConfigException>(() => Ncsnv2Plan.Make(2, 20, 1, 50));
        Assert.Equal(20, Ncsnv2Plan.Make(2, 20, 1, 50, levels: 20).Levels);
    }

    [Theory]
    [InlineData(50, 0.01, 1.0376)]
    [InlineData(20, 1, 1.1708)]
    [InlineData(90, 0.01, 1.0819)]
    public void NumberOfLevelsIsTheSmallestWhoseRatioFits(double s1, double sL, double gamma)
    {
        int expected = 2;
        while (Math.Pow(s1 / sL, 1.0 / (expected - 1)) > gamma) expected++;
        Assert.Equal(expected, Ncsnv2Techniques.NumberOfLevels(s1, sL, gamma));
        var sigmas = NoiseLevels.Geometric(s1, sL, expected);
        Assert.Equal(s1, sigmas[0], 1e-12);
        Assert.Equal(sL, sigmas[^1], 1e-12);
        Assert.True(NoiseLevels.Ratio(sigmas) <= gamma);
    }

    [Theory]
    [InlineData(5, 1.0376, 0.01)]
    [InlineData(50, 1.1708, 1.0)]
    public void VarianceRatioAndEpsMatchTheRecursionAndABruteForceSearch(int T, double gamma, double sigmaL)
    {
        // the closed form against iterating s_{t+1}^2 = (1 - a)^2 s_t^2 + 2 alpha for one level sigma_i
        double sigmaI = 3.7 * sigmaL;
        foreach (double eps in new[] { 1e-3 * sigmaL * sigmaL, 0.05 * sigmaL * sigmaL, 0.4 * sigmaL * sigmaL })
        {
            double alpha = eps * sigmaI * sigmaI / (sigmaL * sigmaL), a = alpha / (sigmaI * sigmaI);
            double v = gamma * gamma * sigmaI * sigmaI;
            for (int t = 0; t < T; t++) v = (1 - a) * (1 - a) * v + 2 * alpha;
            Assert.Equal(v / (sigmaI * sigmaI), Ncsnv2Techniques.VarianceRatio(eps, T, gamma, sigmaL), 1e-9);
        }
        // eps: no point of a fine log grid does better
        var (best, ratio) = Ncsnv2Techniques.ChooseEps(T, gamma, sigmaL);
        double gridBest = double.MaxValue;
        for (double lg = -12; lg < 0; lg += 1e-4)
            gridBest = Math.Min(gridBest, Math.Abs(Ncsnv2Techniques.VarianceRatio(Math.Pow(10, lg) * sigmaL * sigmaL, T, gamma, sigmaL) - 1));
        Assert.True(Math.Abs(ratio - 1) <= gridBest + 1e-9, $"eps {best}: |ratio - 1| = {Math.Abs(ratio - 1)} > grid {gridBest}");
    }

    [Fact]
    public void MaxPairwiseDistanceExactAndApproximate()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(3, CPU);
        var x = randn([300, 5], generator: g);
        var v = x.to_type(ScalarType.Float64).data<double>().ToArray();
        double brute = 0;
        for (int i = 0; i < 300; i++)
            for (int j = i + 1; j < 300; j++)
            {
                double s = 0;
                for (int k = 0; k < 5; k++) s += (v[i * 5 + k] - v[j * 5 + k]) * (v[i * 5 + k] - v[j * 5 + k]);
                brute = Math.Max(brute, Math.Sqrt(s));
            }
        var exact = Ncsnv2Techniques.MaxPairwiseDistance(x);
        Assert.True(exact.Exact);
        Assert.Equal(brute, exact.Value, 1e-9);
        var approx = Ncsnv2Techniques.MaxPairwiseDistance(x, exactBudget: 0);
        Assert.False(approx.Exact);
        Assert.InRange(approx.Value, brute / 2, brute + 1e-9);
        Assert.True(approx.UpperBound >= brute);
        Assert.True(approx.Value >= 0.9 * brute, $"double sweep found {approx.Value}, diameter {brute}");
    }
}
