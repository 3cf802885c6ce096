using System.Numerics;
using GenSharp.Gan.Theory;

namespace GenSharp.Tests.Gan;

public sealed class DiracGanTests
{
    /// <summary>docs/gans.md#dirac-gan: alternating GD's eigenvalues 1 - (h f'(0))^2/2 +- sqrt((1 - (h f'(0))^2/2)^2 - 1).</summary>
    private static Complex[] SpecFormula(double h, double fPrime0)
    {
        double a = 1 - Math.Pow(h * fPrime0, 2) / 2;
        var s = Complex.Sqrt(a * a - 1);
        return [a + s, a - s];
    }

    private static Complex[] Sorted(Complex[] v) => v.OrderByDescending(c => c.Imaginary).ThenByDescending(c => c.Real).ToArray();

    [Theory]
    [InlineData("ns")]
    [InlineData("minimax")]
    [InlineData("wgan")]
    public void AlternatingEigenvaluesMatchTheFormulaAndLieOnTheUnitCircleForSeveralH(string loss)
    {
        var gan = new DiracGan(loss);
        foreach (double h in new[] { 0.01, 0.1, 0.5, 1.0, 1.5 })
        {
            var numerical = Sorted(DiracGan.Eigenvalues(DiracGan.JacobianAtEquilibrium((t, p) => gan.AlternatingStep(t, p, h))));
            var formula = Sorted(SpecFormula(h, gan.FPrime0));
            for (int i = 0; i < 2; i++)
            {
                Assert.True(Complex.Abs(numerical[i] - formula[i]) < 1e-8, $"{loss} h={h}: {numerical[i]} vs {formula[i]}");
                Assert.True(Math.Abs(Complex.Abs(numerical[i]) - 1) < 1e-6, $"{loss} h={h}: |lambda| = {Complex.Abs(numerical[i])}");
            }
        }
    }

    [Theory]
    [InlineData("ns", 0.1)]
    [InlineData("minimax", 0.3)]
    [InlineData("wgan", 0.05)]
    public void SimultaneousEigenvaluesAreOnePlusOrMinusIHfAndLieOutsideTheUnitCircle(string loss, double h)
    {
        var gan = new DiracGan(loss);
        var numerical = Sorted(DiracGan.Eigenvalues(DiracGan.JacobianAtEquilibrium((t, p) => gan.SimultaneousStep(t, p, h))));
        double a = h * gan.FPrime0;
        Assert.True(Complex.Abs(numerical[0] - new Complex(1, a)) < 1e-8, $"{numerical[0]}");
        Assert.True(Complex.Abs(numerical[1] - new Complex(1, -a)) < 1e-8, $"{numerical[1]}");
        Assert.Equal(Math.Sqrt(1 + a * a), Complex.Abs(numerical[0]), 8);
    }

    [Theory]
    [InlineData("minimax")]
    [InlineData("wgan")]
    public void SimultaneousDescentRadiusGrowsEveryStepWhileTheContinuousFlowConservesIt(string loss)
    {
        var gan = new DiracGan(loss);
        var (th, ps) = gan.Trajectory((t, p) => gan.SimultaneousStep(t, p, 0.1), 0.8, -0.3, 200);
        for (int i = 1; i < th.Length; i++)
            Assert.True(th[i] * th[i] + ps[i] * ps[i] > th[i - 1] * th[i - 1] + ps[i - 1] * ps[i - 1], $"step {i}");
        var (ct, cp) = gan.Trajectory((t, p) => gan.ContinuousStep(t, p, 0.01), 0.8, -0.3, 2000);
        Assert.Equal(0.73, ct[^1] * ct[^1] + cp[^1] * cp[^1], 8);
    }

    [Fact]
    public void InstanceNoiseMakesTheLogisticDynamicsConvergeToTheEquilibrium()
    {
        var noisy = new DiracGan("ns", instanceNoise: 0.7);
        const double h = 0.2;
        // damping d = sigma^2 / 2 enters both closed forms; the numerical Jacobian agrees
        var numerical = Sorted(DiracGan.Eigenvalues(DiracGan.JacobianAtEquilibrium((t, p) => noisy.SimultaneousStep(t, p, h))));
        var closed = Sorted(noisy.SimultaneousEigenvaluesClosedForm(h));
        Assert.True(Complex.Abs(numerical[0] - closed[0]) < 1e-8 && Complex.Abs(numerical[1] - closed[1]) < 1e-8);
        Assert.True(Complex.Abs(numerical[0]) < 1, "instance noise should pull the eigenvalues inside the unit circle");
        var (th, ps) = noisy.Trajectory((t, p) => noisy.SimultaneousStep(t, p, h), 1, 0, 1500);
        Assert.True(th[^1] * th[^1] + ps[^1] * ps[^1] < 1e-6, $"ended at ({th[^1]}, {ps[^1]})");

        // WGAN's linear critic gets no damping from instance noise: still a pure rotation (|lambda| = 1 for alternating)
        var wgan = new DiracGan("wgan", instanceNoise: 0.7);
        var alt = DiracGan.Eigenvalues(DiracGan.JacobianAtEquilibrium((t, p) => wgan.AlternatingStep(t, p, h)));
        Assert.Equal(1, Complex.Abs(alt[0]), 8);
    }

    [Fact]
    public void TheLabReportsBothEigenvalueSetsAndWritesItsFigures()
    {
        string dir = TestTemp.Directory("gensharp-dirac").FullName;
        var r = DiracGanLab.Run(new DiracGanLab.Options("wgan", 0.1, 50, 0.5), dir);
        Assert.True(r.Simultaneous.RadiusGrewEveryStep);
        Assert.True(r.Alternating.MaxEigenvalueError < 1e-10);
        Assert.All(r.Alternating.EigenvaluesNumerical, e => Assert.Equal(1, e.Abs, 9));
        Assert.All(r.Figures, f => Assert.True(new FileInfo(f).Length > 1000, f));
    }
}
