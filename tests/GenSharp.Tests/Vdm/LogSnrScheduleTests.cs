using GenSharp.Vdm;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Vdm;

/// <summary>The log-SNR schedules (docs/vdm.md#schedules): endpoints, monotonicity, gamma' against finite differences, alpha and sigma.</summary>
public sealed class LogSnrScheduleTests
{
    private const double Gamma0 = -13.3, Gamma1 = 5.0;

    public static TheoryData<string> Kinds => new(LogSnrScheduleConfig.Kinds);

    private static LogSnrSchedule Create(string kind, bool learnEndpoints = false) =>
        new LogSnrScheduleConfig { Kind = kind, Gamma0 = Gamma0, Gamma1 = Gamma1, Hidden = 64, LearnEndpoints = learnEndpoints }.Create();

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EverySchedulePassesThroughItsEndpointsAndHasTheDerivativeOfItsValues(string kind)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        manual_seed(3);
        using var schedule = Create(kind);
        var (g0, g1) = schedule.Endpoints();
        Assert.Equal(Gamma0, g0, 4);
        Assert.Equal(Gamma1, g1, 4);
        // central differences in float64 on the interior (the learned schedule's parameters are float32: tolerance relative 1e-3)
        var t = linspace(0.01, 0.99, 99, dtype: ScalarType.Float64);
        double h = 1e-5;
        var fd = (schedule.Gamma(t + h).to_type(ScalarType.Float64) - schedule.Gamma(t - h).to_type(ScalarType.Float64)) / (2 * h);
        var exact = schedule.Derivative(t).to_type(ScalarType.Float64);
        double relative = ((fd - exact).abs() / exact.abs()).max().item<double>();
        Assert.True(relative < (kind == "learned" ? 2e-2 : 1e-5), $"{kind}: gamma' off finite differences by {relative:G3} (relative)");
    }

    [Fact]
    public void TheCosineScheduleIsAlphaEqualsCosineOfAnAffineTime()
    {
        using var scope = NewDisposeScope();
        using var schedule = Create("cosine");
        var t = linspace(0, 1, 11, dtype: ScalarType.Float64);
        double u0 = Math.Atan(Math.Exp(Gamma0 / 2)), u1 = Math.Atan(Math.Exp(Gamma1 / 2));
        var u = t * (u1 - u0) + u0;                                     // alpha_t = cos(u), sigma_t = sin(u)
        var gamma = schedule.Gamma(t);
        Assert.True(LogSnr.Alpha(gamma).allclose(cos(u), rtol: 1e-9, atol: 1e-12));
        Assert.True(LogSnr.Sigma(gamma).allclose(sin(u), rtol: 1e-9, atol: 1e-12));
        Assert.True(LogSnr.Snr(gamma).allclose(cos(u).square() / sin(u).square(), rtol: 1e-9));
        Assert.True((LogSnr.Alpha(gamma).square() + LogSnr.Sigma(gamma).square()).allclose(ones_like(t), rtol: 1e-12)); // variance preserving
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheLearnedScheduleIsMonotoneAndMeetsItsEndpointsForAnyWeights(bool learnEndpoints)
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        using var schedule = (LearnedLogSnr)Create("learned", learnEndpoints);
        var t = linspace(0, 1, 2001);
        for (int trial = 0; trial < 5; trial++)
        {
            using (no_grad())
            {
                foreach (var (name, p) in schedule.named_parameters()) p.add_(randn_like(p) * (name.StartsWith('l') ? 3 : 0.3)); // any sign
            }
            using var inner = NewDisposeScope();
            using var noGrad = no_grad();
            var gamma = schedule.Gamma(t);
            Assert.True((gamma[1..] - gamma[..^1]).ge(-1e-5).all().item<bool>(), $"trial {trial}: gamma decreases somewhere");
            Assert.True(schedule.Derivative(t).ge(0).all().item<bool>());
            var (g0, g1) = schedule.Endpoints();
            Assert.Equal(gamma[0].item<float>(), g0, 4);
            Assert.Equal(gamma[-1].item<float>(), g1, 4);
            if (!learnEndpoints)
            {
                Assert.Equal(Gamma0, g0, 3);
                Assert.Equal(Gamma1, g1, 3);
            }
            else Assert.True(g1 > g0);
        }
        Assert.Equal(learnEndpoints ? 6 : 4, schedule.parameters().Count());
    }

    [Fact]
    public void TheLearnedScheduleGetsGradientsThroughGammaAndItsDerivative()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var schedule = Create("learned", learnEndpoints: true);
        var t = rand(16);
        (schedule.Gamma(t).sum() + schedule.Derivative(t).sum()).backward();
        foreach (var (name, p) in schedule.named_parameters())
            Assert.True(p.grad is not null && p.grad.abs().sum().item<float>() > 0, $"{name} got no gradient");
    }

    [Fact]
    public void LowDiscrepancyTimesCoverTheUnitIntervalEvenly()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(7);
        var t = LowDiscrepancyTimes.Draw(8, g, CPU).sort().Values;
        Assert.True(t.ge(0).all().item<bool>() && t.lt(1).all().item<bool>());
        Assert.True((t[1..] - t[..^1]).allclose(full([7], 1 / 8f), atol: 1e-6));   // one time in each interval of width 1/B
    }
}
