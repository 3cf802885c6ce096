using GenSharp.Vdm;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace GenSharp.Tests.Vdm;

/// <summary>
/// The bound of docs/vdm.md#bound: L_T tends to L_inf like 1/T for a fixed model, and on 2D Gaussian data with the exact denoiser
/// x_hat = E[x | z_t] the bound equals the exact negative log-likelihood (up to its closed-form endpoint gap) within Monte-Carlo error.
/// </summary>
public sealed class VdmBoundTests(ITestOutputHelper output)
{
    /// <summary>A small fixed "network": eps_hat(z, gamma) = tanh(z W + gamma v / 10 + b) on 2D points, float64.</summary>
    private static Func<Tensor, Tensor, Tensor> FixedModel()
    {
        using var g = new Generator(17);
        var w = randn([2, 2], dtype: ScalarType.Float64, generator: g);
        var v = randn([2], dtype: ScalarType.Float64, generator: g);
        var b = randn([2], dtype: ScalarType.Float64, generator: g);
        return (z, gamma) => tanh(z.matmul(w) + gamma.unsqueeze(1) * v / 10 + b);
    }

    [Fact]
    public void TheDiscreteLossTendsToTheContinuousOneLikeOneOverT()
    {
        using var scope = NewDisposeScope();
        using var schedule = new LinearLogSnr(-13.3, 5.0);
        var objective = new VdmObjective(schedule, FixedModel(), discretised: false);
        using var g = new Generator(3);
        var x = randn([4, 2], dtype: ScalarType.Float64, generator: g) * 0.5;
        var eps = randn([4, 2], dtype: ScalarType.Float64, generator: g);
        // every term of L_T at the same x and eps (t on each grid cell's midpoint picks i), and L_inf by the midpoint rule on 100,000 points
        double LT(int T) => Average(objective, x, eps, (arange(T, dtype: ScalarType.Float64) + 0.5) / T, T);
        double lInf = Average(objective, x, eps, (arange(100_000, dtype: ScalarType.Float64) + 0.5) / 100_000, 0);
        int[] steps = [10, 100, 1000, 10_000];
        var gaps = steps.Select(T => LT(T) - lInf).ToArray();
        for (int k = 0; k < steps.Length; k++)
            output.WriteLine($"T = {steps[k],6}: L_T - L_inf = {gaps[k]:G6} nats, T (L_T - L_inf) = {steps[k] * gaps[k]:G6}");
        Assert.All(gaps, gap => Assert.True(gap > 0));
        // the gap shrinks tenfold per tenfold T once T is large (the first ratio carries the higher orders of expm1)
        Assert.InRange(gaps[1] / gaps[2], 9.0, 11.0);
        Assert.InRange(gaps[2] / gaps[3], 9.7, 10.3);
    }

    /// <summary>Mean over examples of the mean over times of the diffusion term, with each example's noise fixed.</summary>
    private static double Average(VdmObjective objective, Tensor x, Tensor eps, Tensor times, int steps)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], n = times.shape[0];
        var xs = x.repeat_interleave(n, 0);
        var es = eps.repeat_interleave(n, 0);
        using var terms = objective.Terms(xs, times.repeat(b), es, zeros_like(es), steps);
        return terms.Diffusion.mean().item<double>();
    }

    [Theory]
    [InlineData("linear")]
    [InlineData("cosine")]
    public void OnGaussianDataWithTheExactDenoiserTheBoundIsTheExactNegativeLogLikelihood(string kind)
    {
        using var scope = NewDisposeScope();
        double s = 0.7, gamma0 = -13.3, gamma1 = 5.0;
        var m = tensor(new[] { 0.5, -0.3 });
        using var schedule = new LogSnrScheduleConfig { Kind = kind, Gamma0 = gamma0, Gamma1 = gamma1 }.Create();
        var objective = new VdmObjective(schedule, (z, gamma) => ExactEps(z, gamma, m, s), discretised: false);
        using var g = new Generator(5);
        int n = 200_000;
        var x = m + s * randn([n, 2], dtype: ScalarType.Float64, generator: g);
        using var terms = objective.Terms(x.to_type(ScalarType.Float64), g);
        var total = terms.Total();
        double mean = total.mean().item<double>(), se = total.std().item<double>() / Math.Sqrt(n);
        // E[bound] in closed form (docs/vdm.md#bound), per dimension: diffusion 1/2 log((1 + SNR_0 s^2) / (1 + SNR_1 s^2)),
        // reconstruction 1/2 log(2 pi / SNR_0) + 1/2, prior 1/2 (sigma_1^2 + alpha_1^2 (s^2 + m^2) - log sigma_1^2 - 1)
        double snr0 = Math.Exp(-gamma0), snr1 = Math.Exp(-gamma1), a1 = 1 / (1 + Math.Exp(gamma1)), s1 = 1 - a1;
        double expected = new[] { 0.5, -0.3 }.Sum(md => 0.5 * Math.Log((1 + snr0 * s * s) / (1 + snr1 * s * s))
            + 0.5 * Math.Log(2 * Math.PI / snr0) + 0.5 + 0.5 * (s1 + a1 * (s * s + md * md) - Math.Log(s1) - 1));
        double nll = 2 * 0.5 * Math.Log(2 * Math.PI * Math.E * s * s);   // the exact -E log N(x; m, s^2 I)
        output.WriteLine($"{kind}: bound {mean:F5} +- {se:F5} nats, closed form {expected:F5}, exact NLL {nll:F5}");
        Assert.True(Math.Abs(mean - expected) < 4 * se, $"{kind}: Monte-Carlo bound {mean:F5} +- {se:F5} vs {expected:F5}");
        Assert.True(Math.Abs(mean - nll) < 4 * se + 0.01, $"{kind}: bound {mean:F5} vs exact NLL {nll:F5}");
        Assert.True(expected - nll is > 0 and < 0.01);   // the endpoints' gap: KL(q(z_1) || N(0, I)) and the decoder's, both tiny
    }

    /// <summary>The exact eps_hat for x ~ N(m, s^2 I): x_hat = E[x | z] = m + alpha s^2 / (alpha^2 s^2 + sigma^2) (z - alpha m).</summary>
    public static Tensor ExactEps(Tensor z, Tensor gamma, Tensor m, double s)
    {
        using var scope = NewDisposeScope();
        var g = LogSnr.Broadcast(gamma, z).to_type(ScalarType.Float64);
        var alpha = LogSnr.Alpha(g);
        var sigma = LogSnr.Sigma(g);
        var xHat = m + alpha * s * s / (alpha.square() * s * s + sigma.square()) * (z - alpha * m);
        return ((z - alpha * xHat) / sigma).MoveToOuterDisposeScope();
    }

    [Fact]
    public void TheAncestralSamplerWithTheExactDenoiserDrawsTheDataDistribution()
    {
        using var scope = NewDisposeScope();
        double s = 0.2;
        var m = tensor(new[] { 0.3, -0.1 });
        using var schedule = new LinearLogSnr(-13.3, 5.0);
        using var g = new Generator(9);
        int n = 20_000;
        var z1 = randn([n, 2], dtype: ScalarType.Float64, generator: g);
        var result = VdmAncestralSampler.Run((z, gamma) => ExactEps(z, gamma, m, s), schedule, z1, 250, g);
        using var samples = result.Samples;
        var mean = samples.mean([0]);
        var std = samples.std(0);
        output.WriteLine($"mean {mean[0].item<double>():F4} {mean[1].item<double>():F4}, std {std[0].item<double>():F4} {std[1].item<double>():F4}");
        Assert.True(mean.allclose(m, atol: 4 * s / Math.Sqrt(n)));
        Assert.True(std.allclose(full([2], s, dtype: ScalarType.Float64), rtol: 0.03));
        Assert.Equal(250, result.FunctionEvaluations);
    }
}
