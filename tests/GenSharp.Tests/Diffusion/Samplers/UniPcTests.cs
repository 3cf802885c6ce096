using GenSharp.Diffusion;
using GenSharp.Diffusion.Samplers;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace GenSharp.Tests.Diffusion.Samplers;

/// <summary>UniPC (docs/samplers.md#unipc) against the exact Gaussian model (<see cref="ExactGaussian"/>).</summary>
public sealed class UniPcTests(ITestOutputHelper output)
{
    private static readonly ExactGaussian Data = ExactGaussian.FourDimensional;

    /// <remarks>
    /// Measured on this model (RMS error to the exact ODE solution) on the logsnr table, DPM-Solver++(2M) / UniPC: 10 steps 0.0441 /
    /// 0.0574, 15 steps 0.0280 / 0.0239, 20 steps 0.0168 / 0.0109, 30 steps 0.00768 / 0.00334, 60 steps 0.00189 / 0.000437. From 30 to
    /// 60 steps 2M's error falls 4.1x (second order) and UniPC's 7.6x (third order: UniC-2 raises UniP-2's order by one).
    /// </remarks>
    [Fact]
    public void UniPcConvergesAtThirdOrderWhereDpmSolverPlusPlusTwoMIsSecondOrder()
    {
        using var diffusion = ExactGaussian.Linear();
        int[] steps = [15, 20, 30, 60];
        var unipc = steps.Select(k => Data.OdeError(diffusion, "unipc", k, TimestepTable.LogSnr)).ToArray();
        var dpmpp = steps.Select(k => Data.OdeError(diffusion, "dpmpp", k, TimestepTable.LogSnr)).ToArray();
        output.WriteLine("logsnr: K: 2M / UniPC: " + string.Join("; ", steps.Select((k, i) => $"{k}: {dpmpp[i]:E3} / {unipc[i]:E3}")));
        for (int i = 0; i < steps.Length; i++) Assert.True(unipc[i] < dpmpp[i], $"UniPC {unipc[i]} not below 2M {dpmpp[i]} at K = {steps[i]}");
        for (int i = 1; i < steps.Length; i++) Assert.True(unipc[i] < unipc[i - 1], $"UniPC error did not shrink from K = {steps[i - 1]}");
        double order = Math.Log2(unipc[^2] / unipc[^1]), dpmppOrder = Math.Log2(dpmpp[^2] / dpmpp[^1]);
        output.WriteLine($"observed order from 30 to 60 steps: UniPC {order:F2}, 2M {dpmppOrder:F2}");
        Assert.InRange(order, 2.6, 3.4);
        Assert.InRange(dpmppOrder, 1.7, 2.3);
    }

    /// <remarks>
    /// Measured at 10 steps (RMS error to the exact ODE solution), 2M / UniPC: trailing 0.0647 / 0.0608 (both limited by the
    /// first-order last step from t = 99 to x_0); logsnr 0.0441 / 0.0574: on the logsnr table, whose steps are about one unit of
    /// lambda at K = 10, UniPC's corrector overshoots as 3M's extrapolation does, and 2M is the better 10-step solver of this model.
    /// </remarks>
    [Fact]
    public void AtTenStepsUniPcBeatsDpmSolverPlusPlusTwoMOnTheTrailingTableButNotOnTheLogSnrTable()
    {
        using var diffusion = ExactGaussian.Linear();
        double unipcTrailing = Data.OdeError(diffusion, "unipc", 10, "trailing"), dpmppTrailing = Data.OdeError(diffusion, "dpmpp", 10, "trailing");
        double unipcLogSnr = Data.OdeError(diffusion, "unipc", 10, TimestepTable.LogSnr);
        double dpmppLogSnr = Data.OdeError(diffusion, "dpmpp", 10, TimestepTable.LogSnr);
        output.WriteLine($"10 steps, 2M / UniPC: trailing {dpmppTrailing:E3} / {unipcTrailing:E3}; logsnr {dpmppLogSnr:E3} / {unipcLogSnr:E3}");
        Assert.True(unipcTrailing < dpmppTrailing, $"trailing: UniPC {unipcTrailing} vs 2M {dpmppTrailing}");
        Assert.True(unipcLogSnr > dpmppLogSnr, $"logsnr: UniPC {unipcLogSnr} now beats 2M {dpmppLogSnr}: update docs/samplers.md and this test");
    }

    [Fact]
    public void OneStepIsTheFirstOrderStepAndTheCorrectorCostsNoEvaluation()
    {
        using var scope = NewDisposeScope();
        using var diffusion = ExactGaussian.Linear();
        var xT = randn([64, Data.Dims], generator: new Generator(5, CPU));
        var eps = Data.EpsModel(diffusion.Schedule);
        var one = new UniPcSampler(diffusion, new UniPcSamplerConfig(1)).SampleFrom(eps, xT, null).Samples;
        var ddim = new DdimSampler(diffusion, new DdimSamplerConfig(1)).SampleFrom(eps, xT, null).Samples;
        Assert.True(one.allclose(ddim, rtol: 1e-5, atol: 1e-6), "1-step UniPC is not the DDIM step");
        int calls = 0;
        var sampler = new UniPcSampler(diffusion, new UniPcSamplerConfig(7));
        sampler.SampleFrom((x, t) => { calls++; return eps(x, t); }, xT, null);
        Assert.Equal(7, calls);
        Assert.Equal(7, sampler.FunctionEvaluations);
        Assert.Equal(7, SamplerRegistry.FunctionEvaluations(new SamplerSpec("unipc", 7), 1000));
    }
}
