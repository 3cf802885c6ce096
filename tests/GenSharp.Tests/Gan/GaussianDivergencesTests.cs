using GenSharp.Gan.Theory;

namespace GenSharp.Tests.Gan;

public sealed class GaussianDivergencesTests
{
    [Theory]
    [InlineData(1.0, 0.0, 1.0)]
    [InlineData(0.3, -0.2, 0.1)]
    [InlineData(1.0, 0.0, 0.01)]
    public void QuadratureMatchesTheClosedFormsOfKlAndW1(double theta, double theta0, double e)
    {
        var n = GaussianDivergences.Numerical(theta, theta0, e);
        Assert.Equal(GaussianDivergences.KlClosed(theta, theta0, e), n.Kl, 1e-6 * GaussianDivergences.KlClosed(theta, theta0, e));
        Assert.Equal(Math.Abs(theta - theta0), n.W1, 1e-6);
        Assert.Equal(GaussianDivergences.JsReduced(theta, theta0, e), n.Js, 1e-8);
        var g = GaussianDivergences.NumericalGradient(theta, theta0, e);
        Assert.Equal(GaussianDivergences.KlGradientClosed(theta, theta0, e), g.Kl,
            1e-5 * Math.Abs(GaussianDivergences.KlGradientClosed(theta, theta0, e)));
        Assert.Equal(Math.Sign(theta - theta0), g.W1, 1e-5);
        Assert.Equal(GaussianDivergences.JsGradientReduced(theta, theta0, e), g.Js, 1e-6);
    }

    [Fact]
    public void AsTheNoiseVanishesJsSaturatesAtLogTwoWithZeroGradientWhileKlExplodes()
    {
        var wide = GaussianDivergences.Numerical(1, 0, 1);
        var narrow = GaussianDivergences.Numerical(1, 0, 0.02);
        Assert.True(wide.Js < Math.Log(2) - 0.1);
        Assert.Equal(Math.Log(2), narrow.Js, 1e-9);
        Assert.True(Math.Abs(GaussianDivergences.NumericalGradient(1, 0, 0.02).Js) < 1e-8);
        Assert.True(Math.Abs(GaussianDivergences.JsGradientReduced(1, 0, 1)) > 0.1);
        Assert.Equal(1250, narrow.Kl, 1e-3);
        // the closed form of JS for small separations: JS ~ d^2 / 8 (d = Delta / e), a check of the reduced integral
        Assert.Equal(0.01 * 0.01 / 8, GaussianDivergences.JsReduced(0.01, 0, 1), 1e-9);
    }
}
