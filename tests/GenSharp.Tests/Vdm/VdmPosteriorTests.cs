using GenSharp.Vdm;
using static TorchSharp.torch;

namespace GenSharp.Tests.Vdm;

/// <summary>q(z_s | z_t, x) in SNR form (docs/vdm.md#posterior) against Bayes' rule computed numerically.</summary>
public sealed class VdmPosteriorTests
{
    [Theory]
    [InlineData(-6.0, -2.0, 0.7, 0.4)]
    [InlineData(-1.0, 0.5, -0.3, 1.2)]
    [InlineData(2.0, 4.0, 0.9, -0.8)]
    [InlineData(-10.0, -9.9, 0.2, 0.25)]
    public void MeanAndVarianceAreBayesRuleOnAGrid(double gammaS, double gammaT, double x, double zt)
    {
        using var scope = NewDisposeScope();
        // p(z_s | x) = N(alpha_s x, sigma_s^2), p(z_t | z_s) = N(alpha_{t|s} z_s, sigma_{t|s}^2); the posterior density on a fine grid
        double aS = Math.Sqrt(Sigmoid(-gammaS)), sS2 = Sigmoid(gammaS), aT = Math.Sqrt(Sigmoid(-gammaT)), sT2 = Sigmoid(gammaT);
        double aTs = aT / aS, sTs2 = sT2 - aTs * aTs * sS2;
        var zs = linspace(aS * x - 10 * Math.Sqrt(sS2), aS * x + 10 * Math.Sqrt(sS2), 400_001, dtype: ScalarType.Float64);
        var logDensity = -(zs - aS * x).square() / (2 * sS2) - (zt - aTs * zs).square() / (2 * sTs2);
        var w = (logDensity - logDensity.max()).exp();
        w /= w.sum();
        double mean = (w * zs).sum().item<double>();
        double variance = (w * (zs - mean).square()).sum().item<double>();

        var gs = tensor(gammaS, dtype: ScalarType.Float64);
        var gt = tensor(gammaT, dtype: ScalarType.Float64);
        var formulaMean = VdmPosterior.Mean(tensor(zt, dtype: ScalarType.Float64), tensor(x, dtype: ScalarType.Float64), gs, gt).item<double>();
        var formulaVariance = VdmPosterior.Variance(gs, gt).item<double>();
        Assert.Equal(mean, formulaMean, 1e-6 * Math.Max(1, Math.Abs(mean)));
        Assert.Equal(1, formulaVariance / variance, 1e-4);
    }

    [Fact]
    public void TheEpsilonFormOfTheMeanIsTheMeanAtXHat()
    {
        using var scope = NewDisposeScope();
        var gs = tensor(new[] { -4.0, 0.0, 3.0 });
        var gt = tensor(new[] { -3.0, 1.5, 3.2 });
        var zt = tensor(new[] { 0.3, -1.1, 0.8 });
        var epsHat = tensor(new[] { 0.5, 0.2, -1.3 });
        var xHat = (zt - LogSnr.Sigma(gt) * epsHat) / LogSnr.Alpha(gt);
        Assert.True(VdmPosterior.MeanFromEps(zt, epsHat, gs, gt).allclose(VdmPosterior.Mean(zt, xHat, gs, gt), rtol: 1e-12, atol: 1e-12));
    }

    private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));
}
