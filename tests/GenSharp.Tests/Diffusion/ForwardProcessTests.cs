using GenSharp.Diffusion;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Diffusion;

public sealed class ForwardProcessTests
{
    [Trait("Category", "Slow")]
    [Fact]
    public void StepByStepNoisingAgreesWithTheClosedFormInMeanAndVariance()
    {
        using var scope = NewDisposeScope();
        using var diffusion = new GaussianDiffusion(new NoiseSchedule(new NoiseScheduleConfig()));
        using var g = new Generator(1, CPU);
        const int n = 200_000;
        var x0 = full([n], 1.5f);
        var x = x0.clone();
        foreach (int target in new[] { 20, 40, 60 })
        {
            // run steps up to paper step `target` (indices 0..target-1)
            for (int t = target == 20 ? 0 : target - 20; t < target; t++)
                x = diffusion.QStep(x, full([n], (long)t, dtype: ScalarType.Int64), randn([n], generator: g));
            var closed = diffusion.QSample(x0, full([n], (long)(target - 1), dtype: ScalarType.Int64), randn([n], generator: g));
            double abar = diffusion.Schedule.AlphaBars[target - 1];
            double mean = Math.Sqrt(abar) * 1.5, variance = 1 - abar;
            // both agree with the closed-form moments, hence with each other
            Assert.Equal(mean, x.mean().item<float>(), 2);
            Assert.Equal(mean, closed.mean().item<float>(), 2);
            Assert.Equal(variance, x.var().item<float>(), 0.004);
            Assert.Equal(variance, closed.var().item<float>(), 0.004);
        }
    }

    [Fact]
    public void PosteriorMatchesANumericBayesComputation()
    {
        // q(x_{t-1} | x_t, x_0) ∝ q(x_t | x_{t-1}) q(x_{t-1} | x_0), normalised on a fine grid.
        using var scope = NewDisposeScope();
        using var diffusion = new GaussianDiffusion(new NoiseSchedule(new NoiseScheduleConfig()));
        var s = diffusion.Schedule;
        const double x0 = 0.7, xt = -0.4;
        foreach (int t in new[] { 1, 10, 100, 500, 999 })
        {
            double beta = s.Betas[t], abarPrev = s.AlphaBarsPrev[t];
            double lo = -6, hi = 6;
            int m = 400_001;
            double h = (hi - lo) / (m - 1), z = 0, first = 0, second = 0;
            double LogW(double y) =>
                -Math.Pow(xt - Math.Sqrt(1 - beta) * y, 2) / (2 * beta)                  // log q(x_t | x_{t-1} = y)
                - Math.Pow(y - Math.Sqrt(abarPrev) * x0, 2) / (2 * (1 - abarPrev));     // log q(x_{t-1} = y | x_0)
            double maxLog = double.NegativeInfinity;
            for (int i = 0; i < m; i++) maxLog = Math.Max(maxLog, LogW(lo + i * h));
            for (int i = 0; i < m; i++)
            {
                double y = lo + i * h;
                double w = Math.Exp(LogW(y) - maxLog);
                z += w; first += w * y; second += w * y * y;
            }
            double numericMean = first / z, numericVar = second / z - numericMean * numericMean;

            var tt = full([1], (long)t, dtype: ScalarType.Int64);
            var (mean, variance, _) = diffusion.QPosterior(full([1], x0, dtype: ScalarType.Float64).to_type(ScalarType.Float32),
                full([1], (float)xt), tt);
            Assert.Equal(numericMean, mean.item<float>(), 4);
            Assert.Equal(numericVar, s.PosteriorVariance[t], numericVar * 1e-6);
            Assert.Equal(s.PosteriorVariance[t], variance.item<float>(), s.PosteriorVariance[t] * 1e-5);
            double closedMean = s.PosteriorMeanCoef1[t] * x0 + s.PosteriorMeanCoef2[t] * xt;
            Assert.Equal(numericMean, closedMean, Math.Abs(numericMean) * 1e-6 + 1e-9);
        }
    }

    [Fact]
    public void ModelMeanFromTheTrueNoiseIsThePosteriorMean()
    {
        // mu_theta with eps equal to the true eps reproduces mu_tilde(x_t, x_0): the identity behind L_simple.
        using var scope = NewDisposeScope();
        using var diffusion = new GaussianDiffusion(new NoiseSchedule(new NoiseScheduleConfig(Kind: "cosine")));
        using var g = new Generator(3, CPU);
        var x0 = randn([64, 2], generator: g);
        var eps = randn([64, 2], generator: g);
        var t = randint(1, 1000, [64], dtype: ScalarType.Int64, generator: g);
        var xt = diffusion.QSample(x0, t, eps);
        var (mean, _, _) = diffusion.QPosterior(x0, xt, t);
        Assert.True(allclose(diffusion.PMeanFromEps(xt, t, eps), mean, rtol: 1e-4, atol: 1e-4));
        Assert.True(allclose(diffusion.PredictX0FromEps(xt, t, eps), x0, rtol: 1e-3, atol: 1e-3));
    }
}
