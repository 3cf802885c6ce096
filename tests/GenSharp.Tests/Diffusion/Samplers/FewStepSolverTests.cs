using GenSharp.Diffusion;
using GenSharp.Diffusion.Samplers;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace GenSharp.Tests.Diffusion.Samplers;

/// <summary>
/// The few-step solvers (docs/samplers.md#few-steps) against the exact Gaussian model (<see cref="ExactGaussian"/>): on the logsnr
/// table DPM-Solver++(3M) follows the probability-flow ODE closer than 2M from 15 steps and its error falls faster with K, and 2M is
/// closer at 10 steps than on the trailing table; the logsnr table is uniform in lambda up to rounding and turns noise into the data
/// distribution with every solver that takes a spacing.
/// </summary>
public sealed class FewStepSolverTests(ITestOutputHelper output)
{
    private static readonly ExactGaussian Data = ExactGaussian.FourDimensional;

    private static double OdeError(GaussianDiffusion diffusion, string name, int steps, string spacing) =>
        Data.OdeError(diffusion, name, steps, spacing);

    /// <remarks>
    /// Measured on this model (RMS error to the exact ODE solution, 2M / 3M): trailing 10 steps 0.065 / 0.062, 30 steps
    /// 0.019 / 0.019 (both limited by the first-order last step from t = round(T/K) - 1 to x_0); logsnr 10 steps 0.044 / 0.101,
    /// 15 steps 0.028 / 0.023, 30 steps 0.0077 / 0.0034. At 10 steps or fewer 3M's extrapolation over steps of about one unit of
    /// lambda overshoots, and 2M on the logsnr table is the better few-step solver; from 15 steps 3M wins and converges faster.
    /// </remarks>
    [Fact]
    public void OnTheLogSnrTableThirdOrderBeatsSecondOrderFromFifteenStepsAndLogSnrBeatsTrailingAtTen()
    {
        using var diffusion = ExactGaussian.Linear();
        int[] steps = [15, 20, 30];
        var second = steps.Select(k => OdeError(diffusion, "dpmpp", k, TimestepTable.LogSnr)).ToArray();
        var third = steps.Select(k => OdeError(diffusion, "dpmpp3", k, TimestepTable.LogSnr)).ToArray();
        output.WriteLine("logsnr: K: 2M / 3M RMS error to the exact ODE solution: " +
                         string.Join("; ", steps.Select((k, i) => $"{k}: {second[i]:E3} / {third[i]:E3}")));
        for (int i = 0; i < steps.Length; i++) Assert.True(third[i] < second[i], $"3M {third[i]} not below 2M {second[i]} at K = {steps[i]}");
        for (int i = 1; i < steps.Length; i++) Assert.True(third[i] < third[i - 1], $"3M error did not shrink from K = {steps[i - 1]}");
        Assert.True(third[0] / third[^1] > second[0] / second[^1], "3M does not converge faster than 2M");
        double logSnr = OdeError(diffusion, "dpmpp", 10, TimestepTable.LogSnr), trailing = OdeError(diffusion, "dpmpp", 10, "trailing");
        output.WriteLine($"2M at 10 steps: logsnr {logSnr:E3}, trailing {trailing:E3}");
        Assert.True(logSnr < 0.8 * trailing, $"2M-10 on logsnr {logSnr} vs trailing {trailing}");
    }

    [Fact]
    public void ThirdOrderIsSecondOrderWhileItHasTwoStepsOfHistory()
    {
        using var scope = NewDisposeScope();
        using var diffusion = ExactGaussian.Linear();
        var xT = randn([64, Data.Dims], generator: new Generator(5, CPU));
        var eps = Data.EpsModel(diffusion.Schedule);
        // 2 steps: first order, then the last (first order at sigma = 0); 3 steps: orders 1, 2, 1 for both solvers
        foreach (int k in new[] { 2, 3 })
        {
            var a = new DpmSolverPlusPlusSampler(diffusion, new DpmSolverPlusPlusSamplerConfig(k)).SampleFrom(eps, xT, null).Samples;
            var b = new DpmSolverPlusPlusSampler(diffusion, new DpmSolverPlusPlusSamplerConfig(k, Order: 3)).SampleFrom(eps, xT, null).Samples;
            Assert.True(a.eq(b).all().item<bool>(), $"K = {k}: 3M differs from 2M before it has a third-order step");
        }
    }

    [Theory]
    [InlineData(5)]
    [InlineData(10)]
    [InlineData(50)]
    [InlineData(999)]
    [InlineData(1000)]
    public void TheLogSnrTableIsUniformInLambdaUpToRounding(int steps)
    {
        using var diffusion = ExactGaussian.Linear();
        var abar = diffusion.Schedule.AlphaBars;
        var table = TimestepTable.Create(1000, steps, TimestepTable.LogSnr, alphaBars: abar);
        Assert.Equal(steps, table.Steps);
        Assert.Equal(999, table.Timesteps[0]);
        Assert.Equal(0, table.Timesteps[^1]);
        for (int i = 1; i < steps; i++) Assert.True(table.Timesteps[i] < table.Timesteps[i - 1]);
        if (steps > 10) return; // near t = 0 one index spans more lambda than a step of 50 or more: the push-apart decides there
        double Lambda(int t) => 0.5 * Math.Log(abar[t] / (1 - abar[t]));
        double dl = (Lambda(0) - Lambda(999)) / (steps - 1);
        for (int i = 0; i < steps; i++)
        {
            int t = table.Timesteps[i];
            double target = Lambda(999) + i * dl;
            // rounding moves a point by at most half an index: at most half the lambda gap to a neighbour index
            double gap = Math.Max(Math.Abs(Lambda(Math.Max(t - 1, 0)) - Lambda(t)), Math.Abs(Lambda(Math.Min(t + 1, 999)) - Lambda(t)));
            Assert.True(Math.Abs(Lambda(t) - target) <= 0.5 * gap + 1e-9, $"step {i}: t = {t}, lambda {Lambda(t):F3} vs {target:F3}");
        }
    }

    /// <summary>Also UniPC (docs/samplers.md#unipc) and EDM's Heun, whose table is always karras (docs/samplers.md#heun).</summary>
    [Theory]
    [InlineData("ddim", 10)]
    [InlineData("dpmpp", 10)]
    [InlineData("dpmpp3", 15)]
    [InlineData("dpmpp3", 20)]
    [InlineData("unipc", 10)]
    [InlineData("unipc", 20)]
    [InlineData("heun", 18)]
    public void TheLogSnrTableTurnsNoiseIntoTheDataDistribution(string name, int steps)
    {
        const int n = 10_000;
        using var scope = NewDisposeScope();
        using var diffusion = ExactGaussian.Linear();
        var moderate = new ExactGaussian([1f, -2f, 0.5f, 0f], [0.5f, 2f, 1f, 0.7f]);
        var sampler = SamplerFactory.Create(name, diffusion, steps, spacing: name == "heun" ? "trailing" : TimestepTable.LogSnr);
        var result = sampler.Sample(moderate.EpsModel(diffusion.Schedule), [n, moderate.Dims], new Generator(3, CPU), CPU);
        Assert.Equal(name == "heun" ? 2 * steps - 1 : steps, result.FunctionEvaluations);
        var (mean, std) = moderate.TargetFromStandardNormal(diffusion.Schedule.AlphaBars[999]);
        var m = result.Samples.mean([0]).data<float>().ToArray();
        var sd = result.Samples.std([0]).data<float>().ToArray();
        output.WriteLine($"{sampler.Name}: mean [{string.Join(", ", m)}] std [{string.Join(", ", sd)}]");
        double discretisation = name == "ddim" ? 3.0 / steps : 25.0 / (steps * steps);
        for (int d = 0; d < moderate.Dims; d++)
        {
            Assert.Equal(mean[d], m[d], moderate.S[d] * (discretisation + 5 / Math.Sqrt(n)));
            Assert.Equal(std[d], sd[d], std[d] * (discretisation + 5 / Math.Sqrt(2.0 * n)));
        }
    }

    [Fact]
    public void AFewStepLogSnrTableIsTheCheckedOneEverywhere()
    {
        Assert.Equal([999], TimestepTable.Create(1000, 1, TimestepTable.LogSnr, 
            alphaBars: new NoiseSchedule(new NoiseScheduleConfig()).AlphaBars).Timesteps);
        Assert.Throws<ConfigException>(() => TimestepTable.Check(1000, 1001, TimestepTable.LogSnr));
        Assert.Throws<ConfigException>(() => TimestepTable.Check(1000, 10, TimestepTable.LogSnr, stepsOffset: 1));
        Assert.Equal(10, SamplerRegistry.FunctionEvaluations(new SamplerSpec("dpmpp3", 10, Spacing: TimestepTable.LogSnr), 1000));
        Assert.Equal("dpmpp3-10", SamplerRegistry.Label(new SamplerSpec("dpmpp3", 10)));
    }
}
