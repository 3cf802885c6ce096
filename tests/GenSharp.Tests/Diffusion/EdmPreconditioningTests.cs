using GenSharp.Diffusion;
using GenSharp.Diffusion.Samplers;
using GenSharp.Interop;
using GenSharp.Tests.Diffusion.Samplers;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace GenSharp.Tests.Diffusion;

/// <summary>
/// EDM's preconditioning (<see cref="EdmPreconditioning"/>, docs/ddpm.md#objective) against closed forms. For data N(mu, s^2) per
/// dimension the exact denoiser is D(y; sigma) = mu + s^2 (y - mu) / (s^2 + sigma^2), so the exact network is F = (D - c_skip y) / c_out;
/// its converted noise prediction must sample as the exact epsilon model, and its training loss has a closed form: the residual
/// (x_0 - D) / c_out is Gaussian with variance s^2 (sigma^2 + sigma_d^2) / ((s^2 + sigma^2) sigma_d^2), which is 1 at every sigma when
/// s = sigma_d.
/// </summary>
public sealed class EdmPreconditioningTests(ITestOutputHelper output)
{
    private const double Sd = EdmPreconditioning.SigmaData;

    /// <summary>The exact preconditioned network F(c_in y, 250 ln sigma) of data N(mu, s^2) per dimension, in float64.</summary>
    private static Func<Tensor, Tensor, Tensor> ExactNetwork(float[] mu, float[] s) => (input, label) =>
    {
        using var scope = NewDisposeScope();
        var shape = new long[] { input.shape[0], 1 };
        var sigma = (label.to_type(ScalarType.Float64) / 250).exp().reshape(shape);
        var total = sigma.square() + Sd * Sd;
        var y = input.to_type(ScalarType.Float64) * total.sqrt();
        var m = tensor(mu, dtype: ScalarType.Float64).unsqueeze(0);
        var v = tensor(s, dtype: ScalarType.Float64).unsqueeze(0).square();
        var d = m + v * (y - m) / (v + sigma.square());
        var f = (d - Sd * Sd / total * y) / (sigma * Sd / total.sqrt());
        return f.to_type(input.dtype).MoveToOuterDisposeScope();
    };

    [Theory]
    [InlineData("ddim", 10)]
    [InlineData("dpmpp", 10)]
    [InlineData("unipc", 10)]
    [InlineData("heun", 10)]
    [InlineData("ddpm", null)]
    public void AnEdmParameterisedExactModelSamplesAsTheEpsilonOne(string name, int? steps)
    {
        using var scope = NewDisposeScope();
        using var diffusion = new GaussianDiffusion(new NoiseSchedule(new NoiseScheduleConfig(Timesteps: name == "ddpm" ? 100 : 1000)));
        var data = ExactGaussian.FourDimensional;
        var eps = data.EpsModel(diffusion.Schedule);
        var edm = new DdpmObjective(DdpmObjective.Edm).AsEps(ExactNetwork(data.Mu, data.S), diffusion.Schedule);
        var xT = randn([2000, data.Dims], generator: new Generator(4, CPU));
        var sampler = SamplerFactory.Create(name, diffusion, steps);
        var a = sampler.SampleFrom(eps, xT, new Generator(9, CPU)).Samples;
        var b = sampler.SampleFrom(edm, xT, new Generator(9, CPU)).Samples;
        double difference = ExactGaussian.Rms(a, b);
        output.WriteLine($"{sampler.Name}: RMS difference epsilon vs EDM-preconditioned model {difference:E2}");
        Assert.True(difference < 1e-3, $"{name}: {difference}");
    }

    [Fact]
    public void TheConvertedNoisePredictionIsTheExactOneAtEveryTimestep()
    {
        using var scope = NewDisposeScope();
        using var diffusion = new GaussianDiffusion(new NoiseSchedule(new NoiseScheduleConfig()));
        var data = ExactGaussian.FourDimensional;
        var t = tensor(new long[] { 0, 1, 10, 100, 300, 500, 700, 900, 990, 999 });
        var x = randn([10, data.Dims], generator: new Generator(5, CPU)) * 2;
        var exact = data.EpsModel(diffusion.Schedule)(x, t);
        var edm = new DdpmObjective(DdpmObjective.Edm).AsEps(ExactNetwork(data.Mu, data.S), diffusion.Schedule)(x, t);
        double worst = (exact - edm).abs().max().item<float>();
        output.WriteLine($"largest |eps_exact - eps_edm| over t = 0..999: {worst:E2}");
        Assert.True(worst < 2e-4, $"{worst}");
    }

    /// <summary>
    /// The expected loss of the exact network: E over ln sigma ~ N(P_mean, P_std^2) of s^2 (sigma^2 + sd^2) / ((s^2 + sigma^2) sd^2).
    /// </summary>
    private static double ExpectedExactLoss(double s)
    {
        double sum = 0, mass = 0;
        for (double z = -8; z <= 8; z += 1e-3) // the normal density on a fine grid: quadrature error far below the Monte-Carlo error
        {
            double w = Math.Exp(-z * z / 2), sigma2 = Math.Exp(2 * (EdmPreconditioning.PMean + EdmPreconditioning.PStd * z));
            sum += w * s * s * (sigma2 + Sd * Sd) / ((s * s + sigma2) * Sd * Sd);
            mass += w;
        }
        return sum / mass;
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(0.2)]
    public void TheLossOfTheExactNetworkIsItsClosedForm(double s)
    {
        using var scope = NewDisposeScope();
        float[] mu = [0.3f, -0.1f, 0f, 0.5f], sd = [(float)s, (float)s, (float)s, (float)s];
        const int n = 40_000;
        var x0 = randn([n, 4], generator: new Generator(6, CPU)) * (float)s + tensor(mu).unsqueeze(0);
        double loss = new DdpmObjective(DdpmObjective.Edm).Loss(null!, ExactNetwork(mu, sd), x0, new Generator(7, CPU)).item<float>();
        double expected = ExpectedExactLoss(s);
        output.WriteLine($"s = {s}: EDM loss of the exact network {loss:F4}, closed form {expected:F4}");
        if (s == Sd) Assert.Equal(1.0, expected, 1e-9); // unit effective weight at every noise level when the data's std is sigma_d
        Assert.Equal(expected, loss, expected * 0.03);     // the Monte-Carlo error of a mean of 160,000 chi^2_1 terms is ~0.4%
    }

    [Fact]
    public void TheTrainingNoiseLevelsFollowTheLogNormal()
    {
        using var scope = NewDisposeScope();
        float[] labels = [];
        Tensor Recorder(Tensor input, Tensor label)
        {
            labels = label.data<float>().ToArray(); // read inside the loss's dispose scope
            return zeros_like(input);
        }
        new DdpmObjective(DdpmObjective.Edm).Loss(null!, Recorder, zeros([20_000, 2]), new Generator(8, CPU));
        var lnSigma = tensor(labels, dtype: ScalarType.Float64) / 250;
        double mean = lnSigma.mean().item<double>(), std = lnSigma.std().item<double>();
        output.WriteLine($"ln sigma: mean {mean:F4} (P_mean -1.2), std {std:F4} (P_std 1.2)");
        Assert.Equal(EdmPreconditioning.PMean, mean, 0.03);
        Assert.Equal(EdmPreconditioning.PStd, std, 0.03);
    }

    [Fact]
    public void EdmRefusesALossWeightingAndADiffusersSchedulerInOneLine()
    {
        var e = Assert.Throws<ConfigException>(() => new DdpmObjective(DdpmObjective.Edm, "min-snr:5").Validate());
        Assert.StartsWith("--loss-weighting min-snr:5: --prediction edm has its own weighting", e.Message);
        var w = Assert.Throws<ConfigException>(() => DiffusersSchedulerWriter.ToJson(new NoiseScheduleConfig(), new SamplerSpec("ddim"),
            DdpmObjective.Edm));
        Assert.StartsWith("--prediction edm: diffusers schedulers take epsilon or v_prediction", w.Message);
        Assert.DoesNotContain('\n', e.Message + w.Message);
    }
}
