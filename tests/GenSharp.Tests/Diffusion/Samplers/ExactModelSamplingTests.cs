using GenSharp.Diffusion;
using GenSharp.Diffusion.Samplers;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace GenSharp.Tests.Diffusion.Samplers;

/// <summary>
/// Every sampler driven by the exact noise predictor of Gaussian data (<see cref="ExactGaussian"/>) must turn
/// N(0, I) into the data distribution, and the deterministic ones must follow the probability-flow ODE.
/// </summary>
public sealed class ExactModelSamplingTests(ITestOutputHelper output)
{
    private static readonly ExactGaussian Data = new([1f, -2f, 0.5f, 0f], [0.5f, 2f, 1f, 0.1f]);

    private static GaussianDiffusion Linear() => new(new NoiseSchedule(new NoiseScheduleConfig()));

    /// <summary>
    /// Data whose every dimension has s &gt;= 0.5 (a dimension with s = 0.1 is in the ODE test below). Ancestral
    /// DDPM-1000 has the same test in <see cref="AncestralSamplerTests"/>.
    /// </summary>
    private static readonly ExactGaussian Moderate = new([1f, -2f, 0.5f, 0f], [0.5f, 2f, 1f, 0.7f]);

    [Theory]
    [InlineData("ddim", 100, 0.0, "linspace")]
    [InlineData("ddim", 50, 0.0, "leading")]
    [InlineData("ddim", 20, 0.0, "trailing")]
    [InlineData("ddim", 10, 0.0, "linspace")]
    [InlineData("ddim", 1000, 0.5, "trailing")]
    [InlineData("ddim", 100, 0.5, "trailing")]
    [InlineData("ddim", 50, 0.5, "leading")]
    [InlineData("ddim", 100, 1.0, "linspace")]
    [InlineData("ddim", 50, 1.0, "trailing")]
    [InlineData("dpmpp", 10, 0.0, "trailing")]
    [InlineData("dpmpp", 10, 0.0, "linspace")]
    [InlineData("dpmpp", 10, 0.0, "leading")]
    [InlineData("dpmpp", 15, 0.0, "trailing")]
    [InlineData("dpmpp", 15, 0.0, "linspace")]
    [InlineData("dpmpp", 15, 0.0, "leading")]
    [InlineData("dpmpp", 25, 0.0, "trailing")]
    [InlineData("dpmpp", 25, 0.0, "linspace")]
    [InlineData("dpmpp", 25, 0.0, "leading")]
    public void ExactModelTurnsNoiseIntoTheDataDistribution(string name, int steps, double eta, string spacing)
    {
        const int n = 10_000;
        using var scope = NewDisposeScope();
        using var diffusion = Linear();
        var sampler = SamplerFactory.Create(name, diffusion, steps, eta, spacing);
        using var g = new Generator(3, CPU);
        var result = sampler.Sample(Moderate.EpsModel(diffusion.Schedule), [n, Moderate.Dims], g, CPU);
        Assert.Equal(steps, result.FunctionEvaluations);
        Assert.Equal(steps, sampler.FunctionEvaluations);
        // "leading" starts below T-1 (t = 900 for K = 10); the target accounts for that start (exactly for eta = 0).
        var (mean, std) = Moderate.TargetFromStandardNormal(diffusion.Schedule.AlphaBars[sampler.Table.Timesteps[0]]);
        var m = result.Samples.mean([0]).data<float>().ToArray();
        var sd = result.Samples.std([0]).data<float>().ToArray();
        // Discretisation error allowed, relative to s: first order in 1/K for DDIM (larger with eta, measured
        // 0.28 at K = 10, 0.07 at K = 100 with eta = 1), second order for DPM-Solver++(2M) (measured 0.19 at
        // K = 10, 0.02 at K = 25); plus 5 standard errors of the estimate.
        double discretisation = name == "dpmpp" ? 25.0 / (steps * steps) : (3 + 5 * eta) / steps;
        output.WriteLine($"{sampler.Name}: mean [{string.Join(", ", m)}] std [{string.Join(", ", sd)}]; allowed relative error " +
            $"{discretisation:F3}; {result.Seconds:F2} s");
        for (int d = 0; d < Moderate.Dims; d++)
        {
            Assert.Equal(mean[d], m[d], Moderate.S[d] * (discretisation + 5 / Math.Sqrt(n)));
            Assert.Equal(std[d], sd[d], std[d] * (discretisation + 5 / Math.Sqrt(2.0 * n)));
        }
    }

    [Fact]
    public void DeterministicDdimDependsOnlyOnTheStartNoise()
    {
        using var scope = NewDisposeScope();
        using var diffusion = Linear();
        var sampler = new DdimSampler(diffusion, new DdimSamplerConfig(Steps: 25));
        var xT = randn([512, Data.Dims], generator: new Generator(1, CPU));
        var a = sampler.SampleFrom(Data.EpsModel(diffusion.Schedule), xT, new Generator(2, CPU)).Samples;
        var b = sampler.SampleFrom(Data.EpsModel(diffusion.Schedule), xT, null).Samples;
        Assert.True(a.eq(b).all().item<bool>());
        Assert.False(a.eq(xT).all().item<bool>()); // and the start noise was not modified in place
    }

    [Fact]
    public void DdimFollowsTheProbabilityFlowOdeAndDpmSolverFollowsItCloser()
    {
        using var scope = NewDisposeScope();
        using var diffusion = Linear();
        var eps = Data.EpsModel(diffusion.Schedule);
        var xT = randn([4000, Data.Dims], generator: new Generator(4, CPU));
        var exact = Data.OdeSolution(xT, diffusion.Schedule.AlphaBars[^1]); // trailing starts at T-1
        double Error(IDiffusionSampler s) => ExactGaussian.Rms(s.SampleFrom(eps, xT, null).Samples, exact);

        int[] steps = [10, 20, 50, 100, 250, 1000];
        var ddim = steps.Select(k => Error(new DdimSampler(diffusion, new DdimSamplerConfig(k)))).ToArray();
        output.WriteLine("DDIM eta=0 RMS error to the exact ODE solution: " + string.Join(", ", steps.Zip(ddim, (k, e) => $"{k}: {e:E3}")));
        for (int i = 1; i < steps.Length; i++) Assert.True(ddim[i] < ddim[i - 1], $"DDIM error did not shrink from " +
            $"{steps[i - 1]} to {steps[i]} steps");
        Assert.True(ddim[^1] < 0.01, $"DDIM-1000 error {ddim[^1]}");

        var dpm = new[] { 10, 15, 20, 25 }.Select(k => Error(new DpmSolverPlusPlusSampler(diffusion,
            new DpmSolverPlusPlusSamplerConfig(k)))).ToArray();
        output.WriteLine($"DPM-Solver++(2M) RMS error at 10/15/20/25 steps: {string.Join(", ", dpm.Select(e => e.ToString("E3")))}");
        Assert.True(dpm[2] < ddim[1], $"DPM-Solver++ 20 steps {dpm[2]} vs DDIM 20 steps {ddim[1]}");
        for (int i = 1; i < dpm.Length; i++) Assert.True(dpm[i] < dpm[i - 1]);
    }

    [Fact]
    public void DdimWithEtaOneOnTheFullTableIsAncestralDdpmWithBetaTilde()
    {
        using var scope = NewDisposeScope();
        using var diffusion = Linear();
        var eps = Data.EpsModel(diffusion.Schedule);
        using var g1 = new Generator(9, CPU);
        using var g2 = new Generator(9, CPU);
        var ddpm = new AncestralSampler(diffusion, new AncestralSamplerConfig("beta_tilde")).Sample(eps, [4000, Data.Dims], g1, CPU).Samples;
        var ddim = new DdimSampler(diffusion, new DdimSamplerConfig(1000, Eta: 1)).Sample(eps, [4000, Data.Dims], g2, CPU).Samples;
        double maxDiff = (ddpm - ddim).abs().max().item<float>();
        output.WriteLine($"max |DDPM - DDIM(eta=1)| over the same random numbers: {maxDiff:E3}");
        Assert.True(maxDiff < 1e-3, $"{maxDiff}");
        // hence the same marginal statistics
        Assert.True(allclose(ddpm.mean([0]), ddim.mean([0]), rtol: 0, atol: 1e-4));
        Assert.True(allclose(ddpm.std([0]), ddim.std([0]), rtol: 0, atol: 1e-4));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void DpmSolverIsDdimWhileItHasNoHistory(int steps)
    {
        // the first step has no history and the last lands on x_0: both first order, i.e. DDIM's eta = 0 step
        using var scope = NewDisposeScope();
        using var diffusion = Linear();
        var eps = Data.EpsModel(diffusion.Schedule);
        var xT = randn([256, Data.Dims], generator: new Generator(5, CPU));
        var dpm = new DpmSolverPlusPlusSampler(diffusion, new DpmSolverPlusPlusSamplerConfig(steps)).SampleFrom(eps, xT, null).Samples;
        var ddim = new DdimSampler(diffusion, new DdimSamplerConfig(steps)).SampleFrom(eps, xT, null).Samples;
        Assert.True(allclose(dpm, ddim, rtol: 1e-5, atol: 1e-5));
    }

    [Theory]
    [InlineData("ddim")]
    [InlineData("dpmpp")]
    public void ClippingKeepsTheSamplesInTheImageRange(string name)
    {
        using var scope = NewDisposeScope();
        using var diffusion = Linear();
        var eps = Data.EpsModel(diffusion.Schedule); // data well outside [-1, 1]
        using var g = new Generator(6, CPU);
        var clipped = SamplerFactory.Create(name, diffusion, 20, clip: true).Sample(eps, [2000, Data.Dims], g, CPU).Samples;
        Assert.True(clipped.abs().max().item<float>() <= 1f);
        var free = SamplerFactory.Create(name, diffusion, 20).Sample(eps, [2000, Data.Dims], g, CPU).Samples;
        Assert.True(free.abs().max().item<float>() > 2f);
    }

    [Theory]
    [InlineData("ddim", 0.0)]
    [InlineData("ddim", 1.0)]
    [InlineData("dpmpp", 0.0)]
    public void SamplingKeepsLiveTensorCountFlat(string name, double eta)
    {
        using var diffusion = new GaussianDiffusion(new NoiseSchedule(new NoiseScheduleConfig(Timesteps: 200)));
        var eps = Data.EpsModel(diffusion.Schedule);
        using var g = new Generator(5, CPU);
        var sampler = SamplerFactory.Create(name, diffusion, 100, eta);
        sampler.Sample(eps, [64, Data.Dims], g, CPU).Samples.Dispose();
        DisposeScopeManager.Statistics.Reset();
        using (var scope = NewDisposeScope())
            sampler.Sample(eps, [64, Data.Dims], g, CPU, new SamplingObserver(recordAt: [199, 0]))
                .Trajectory.Values.ToList().ForEach(t => t.Dispose());
        Assert.Equal(0, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
