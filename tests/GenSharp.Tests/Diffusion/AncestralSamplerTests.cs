using GenSharp.Diffusion;
using GenSharp.Diffusion.Samplers;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Diffusion;

public sealed class AncestralSamplerTests
{
    /// <summary>
    /// For data x_0 ~ N(mu, diag(s^2)) the optimal noise predictor is known in closed form:
    /// eps*(x_t, t) = sqrt(1 - abar_t) (x_t - sqrt(abar_t) mu) / (abar_t s^2 + 1 - abar_t).
    /// </summary>
    internal static Func<Tensor, Tensor, Tensor> ExactEps(NoiseSchedule schedule, float[] mu, float[] s)
    {
        var m = tensor(mu).unsqueeze(0);
        var v = tensor(s).pow(2).unsqueeze(0);
        return (x, t) =>
        {
            var abar = schedule.AlphaBarsT.index_select(0, t).unsqueeze(1);
            return (1 - abar).sqrt() * (x - abar.sqrt() * m) / (abar * v + 1 - abar);
        };
    }

    [Theory]
    [InlineData("linear", "beta")]
    [InlineData("linear", "beta_tilde")]
    [InlineData("cosine", "beta")]
    [InlineData("cosine", "beta_tilde")]
    public void ExactModelTurnsNoiseIntoTheDataDistribution(string kind, string variance)
    {
        using var scope = NewDisposeScope();
        using var diffusion = new GaussianDiffusion(new NoiseSchedule(new NoiseScheduleConfig(Kind: kind)));
        float[] mu = [1f, -2f], s = [0.5f, 2f];
        using var g = new Generator(7, CPU);
        var result = new AncestralSampler(diffusion, new AncestralSamplerConfig(variance))
            .Sample(ExactEps(diffusion.Schedule, mu, s), [20_000, 2], g, CPU);
        Assert.Equal(1000, result.FunctionEvaluations);
        var mean = result.Samples.mean([0]).data<float>().ToArray();
        var std = result.Samples.std([0]).data<float>().ToArray();
        Assert.Equal(mu[0], mean[0], 0.03);
        Assert.Equal(mu[1], mean[1], 0.06);
        Assert.Equal(s[0], std[0], 0.03);
        Assert.Equal(s[1], std[1], 0.06);
    }

    [Fact]
    public void SameGeneratorStateGivesIdenticalSamplesAndTheLastStepAddsNoNoise()
    {
        using var scope = NewDisposeScope();
        using var diffusion = new GaussianDiffusion(new NoiseSchedule(new NoiseScheduleConfig(Timesteps: 50)));
        var eps = ExactEps(diffusion.Schedule, [0f, 0f], [1f, 1f]);
        using var g1 = new Generator(11, CPU);
        using var g2 = new Generator(11, CPU);
        var observer = new SamplingObserver(recordAt: [0]);
        var a = new AncestralSampler(diffusion).Sample(eps, [256, 2], g1, CPU, observer);
        var b = new AncestralSampler(diffusion).Sample(eps, [256, 2], g2, CPU);
        Assert.True(a.Samples.eq(b.Samples).all().item<bool>());
        // x_0 is exactly mu_theta(x_1, 1): no noise term on the last step.
        var x1 = a.Trajectory[0];
        var t0 = zeros([256], dtype: ScalarType.Int64);
        Assert.True(allclose(diffusion.PMeanFromEps(x1, t0, eps(x1, t0)), a.Samples, rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void SamplingKeepsLiveTensorCountFlat()
    {
        using var diffusion = new GaussianDiffusion(new NoiseSchedule(new NoiseScheduleConfig(Timesteps: 200)));
        var eps = ExactEps(diffusion.Schedule, [0f, 0f], [1f, 1f]);
        using var g = new Generator(5, CPU);
        var sampler = new AncestralSampler(diffusion);
        sampler.Sample(eps, [64, 2], g, CPU).Samples.Dispose();
        DisposeScopeManager.Statistics.Reset();
        using (var scope = NewDisposeScope())
            sampler.Sample(eps, [64, 2], g, CPU);
        // everything created during 200 steps was disposed by the end (only the closed-over constants live on)
        Assert.Equal(0, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
