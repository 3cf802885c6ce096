using GenSharp.Diffusion;
using GenSharp.Diffusion.Samplers;
using GenSharp.Tests.Diffusion.Samplers;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace GenSharp.Tests.Diffusion;

/// <summary>
/// The DDPM objective (docs/ddpm.md#objective) against its closed forms: min-SNR weighting with a gamma above every SNR is the
/// epsilon loss; the v error is the epsilon error over abar_t; min-SNR weights the x_0 error alike for both predictions; and a
/// v-parameterised exact Gaussian model samples as the epsilon one with every deterministic sampler.
/// </summary>
public sealed class DdpmObjectiveTests(ITestOutputHelper output)
{
    private static GaussianDiffusion Linear(int timesteps = 1000) => new(new NoiseSchedule(new NoiseScheduleConfig(Timesteps: timesteps)));

    /// <summary>Some smooth noise predictor that is not the optimum: eps_hat = tanh(x) (1 + t / T).</summary>
    private static Tensor SomeEps(Tensor x, Tensor t) => x.tanh() * (1 + t.to_type(ScalarType.Float32) / 1000).reshape(-1, 1, 1, 1);

    /// <summary>The v network whose converted eps is <paramref name="eps"/>: v = (eps - sigma_t x_t) / alpha_t, in float64.</summary>
    internal static Func<Tensor, Tensor, Tensor> AsV(Func<Tensor, Tensor, Tensor> eps, NoiseSchedule schedule) => (x, t) =>
    {
        using var scope = NewDisposeScope();
        var abar = schedule.AlphaBarsT.index_select(0, t).to_type(ScalarType.Float64).reshape([-1, .. Enumerable.Repeat(1L, (int)x.dim() - 1)]);
        var v = (eps(x, t).to_type(ScalarType.Float64) - (1 - abar).sqrt() * x.to_type(ScalarType.Float64)) / abar.sqrt();
        return v.to_type(x.dtype).MoveToOuterDisposeScope();
    };

    [Fact]
    public void MinSnrWithAGammaAboveEverySnrIsTheEpsilonLoss()
    {
        using var scope = NewDisposeScope();
        using var diffusion = Linear();
        var x0 = randn([16, 1, 4, 4], generator: new Generator(1, CPU));
        double plain = new DdpmObjective().Loss(diffusion, SomeEps, x0, new Generator(2, CPU)).item<float>();
        double huge = new DdpmObjective(LossWeighting: "min-snr:1e30").Loss(diffusion, SomeEps, x0, new Generator(2, CPU)).item<float>();
        output.WriteLine($"L_simple {plain:R}, min-snr:1e30 {huge:R}");
        Assert.Equal(plain, huge, plain * 1e-6); // the same draws; only the order of the float32 mean differs
        Assert.Equal(plain, new DdpmObjective(LossWeighting: "min-snr:Infinity").Loss(diffusion, SomeEps, x0, new Generator(2, CPU)).item<float>(),
            plain * 1e-6);
        var t = arange(0, 1000, dtype: ScalarType.Int64);
        Assert.True(new DdpmObjective(LossWeighting: "min-snr:1e30").Weights(diffusion.Schedule, t).eq(1).all().item<bool>());
    }

    [Fact]
    public void MinSnrWeightsAreTheClosedForm()
    {
        using var scope = NewDisposeScope();
        using var diffusion = Linear();
        var t = arange(0, 1000, dtype: ScalarType.Int64);
        var eps = new DdpmObjective(LossWeighting: "min-snr:5").Weights(diffusion.Schedule, t).data<float>().ToArray();
        var v = new DdpmObjective(DdpmObjective.V, "min-snr:5").Weights(diffusion.Schedule, t).data<float>().ToArray();
        var plainV = new DdpmObjective(DdpmObjective.V).Weights(diffusion.Schedule, t).data<float>().ToArray();
        for (int i = 0; i < 1000; i++)
        {
            double abar = (float)diffusion.Schedule.AlphaBars[i], snr = abar / (1 - abar); // the float32 buffer's abar
            Assert.Equal(Math.Min(snr, 5) / snr, eps[i], 1e-6);
            Assert.Equal(Math.Min(snr, 5) / (snr + 1), v[i], 1e-6);
            Assert.Equal(1f, plainV[i]);
        }
        Assert.Equal(1f, eps[999]); // SNR below 5 at high noise: unweighted
        Assert.True(eps[0] < 0.01f); // SNR 1e4 at t = 0: weight 5 / SNR
    }

    /// <summary>
    /// For one and the same prediction, at fixed x_t: v - v_hat = (eps - eps_hat) / alpha_t, so the v error is the epsilon error over
    /// abar_t per sample; with min-SNR both weight the x_0 error by min(SNR, gamma), so the weighted losses are equal.
    /// </summary>
    [Fact]
    public void TheVErrorIsTheEpsilonErrorOverAlphaBarAndMinSnrMakesThemEqual()
    {
        using var scope = NewDisposeScope();
        using var diffusion = Linear();
        var g = new Generator(3, CPU);
        var x0 = randn([12, 1, 4, 4], generator: g);
        var eps = randn([12, 1, 4, 4], generator: g);
        var t = tensor(new long[] { 0, 1, 5, 50, 100, 250, 400, 500, 700, 900, 998, 999 });
        var xt = diffusion.QSample(x0, t, eps);
        var epsHat = SomeEps(xt, t);
        var vHat = AsV(SomeEps, diffusion.Schedule)(xt, t);
        var epsObjective = new DdpmObjective();
        var vObjective = new DdpmObjective(DdpmObjective.V);
        var epsError = epsObjective.PerSampleError(diffusion.Schedule, epsHat, x0, eps, t).to_type(ScalarType.Float64);
        var vError = vObjective.PerSampleError(diffusion.Schedule, vHat, x0, eps, t).to_type(ScalarType.Float64);
        var abar = diffusion.Schedule.AlphaBarsT.index_select(0, t).to_type(ScalarType.Float64);
        var ratio = (vError * abar / epsError).data<double>().ToArray();
        output.WriteLine("v error x abar / eps error: " + string.Join(", ", ratio.Select(r => r.ToString("F6"))));
        Assert.All(ratio, r => Assert.Equal(1.0, r, 1e-3));
        var weightedEps = (new DdpmObjective(LossWeighting: "min-snr:5").Weights(diffusion.Schedule, t) * epsError).data<double>().ToArray();
        var weightedV = (new DdpmObjective(DdpmObjective.V, "min-snr:5").Weights(diffusion.Schedule, t) * vError).data<double>().ToArray();
        for (int i = 0; i < 12; i++) Assert.Equal(weightedEps[i], weightedV[i], weightedEps[i] * 1e-3);
    }

    [Theory]
    [InlineData("ddim", 10)]
    [InlineData("dpmpp", 10)]
    [InlineData("dpmpp3", 15)]
    [InlineData("unipc", 10)]
    [InlineData("heun", 10)]
    [InlineData("ddpm", null)]
    public void AVParameterisedExactModelSamplesAsTheEpsilonOne(string name, int? steps)
    {
        using var scope = NewDisposeScope();
        using var diffusion = Linear(name == "ddpm" ? 100 : 1000);
        var data = new ExactGaussian([1f, -2f, 0.5f, 0f], [0.5f, 2f, 1f, 0.1f]);
        var eps = data.EpsModel(diffusion.Schedule);
        var v = new DdpmObjective(DdpmObjective.V).AsEps(AsV(eps, diffusion.Schedule), diffusion.Schedule);
        var xT = randn([2000, data.Dims], generator: new Generator(4, CPU));
        var sampler = SamplerFactory.Create(name, diffusion, steps);
        var a = sampler.SampleFrom(eps, xT, new Generator(9, CPU)).Samples;
        var b = sampler.SampleFrom(v, xT, new Generator(9, CPU)).Samples;
        double difference = ExactGaussian.Rms(a, b);
        output.WriteLine($"{sampler.Name}: RMS difference epsilon vs v model {difference:E2}");
        Assert.True(difference < 1e-4, $"{name}: {difference}");
        if (name == "ddpm") return;
        var exact = data.OdeSolution(xT, diffusion.Schedule.AlphaBars[sampler.Table.Timesteps[0]]);
        Assert.Equal(ExactGaussian.Rms(a, exact), ExactGaussian.Rms(b, exact), 1e-4);
    }

    [Theory]
    [InlineData("x", "min-snr:5", "--prediction x: use epsilon, v or edm")]
    [InlineData("v", "min-snr:0", "--loss-weighting min-snr:0: use none or min-snr:GAMMA with GAMMA > 0")]
    [InlineData("v", "minsnr", "--loss-weighting minsnr: use none or min-snr:GAMMA")]
    [InlineData("epsilon", "min-snr:abc", "--loss-weighting min-snr:abc")]
    public void BadObjectivesAreOneLineErrors(string prediction, string weighting, string message)
    {
        var e = Assert.Throws<ConfigException>(() => new DdpmObjective(prediction, weighting).Validate());
        Assert.StartsWith(message, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
