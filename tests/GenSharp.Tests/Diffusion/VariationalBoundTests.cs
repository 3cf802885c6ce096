using GenSharp.Diffusion;
using GenSharp.Tests.Diffusion.Samplers;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace GenSharp.Tests.Diffusion;

public sealed class VariationalBoundTests(ITestOutputHelper output)
{
    private static readonly double Ln2 = Math.Log(2);

    /// <summary>The 256 pixel values 2k/255 - 1.</summary>
    private static Tensor Grid() => arange(256, dtype: ScalarType.Float64) * (2.0 / 255) - 1;

    [Theory]
    [InlineData(0.0, 0.5)]
    [InlineData(0.9, 1e-3)]
    [InlineData(-3.0, 0.2)]
    [InlineData(0.3, 10.0)]
    [InlineData(1.0, 1e-4)]
    [InlineData(0.5, 0.0039)]
    public void DecoderProbabilitiesOverThe256BinsSumToOne(double mean, double scale)
    {
        using var scope = NewDisposeScope();
        var x = Grid();
        var logp = DiscretizedGaussian.LogLikelihood(x, full_like(x, mean), full_like(x, Math.Log(scale)));
        Assert.False(logp.isnan().any().item<bool>());
        Assert.Equal(1.0, logp.exp().sum().item<double>(), 1e-9);
        Assert.True(logp.le(0).all().item<bool>());
    }

    [Fact]
    public void DecoderMatchesAnIndependentIntegralAndStaysFiniteInTheTails()
    {
        using var scope = NewDisposeScope();
        // an interior bin, by Simpson's rule on the Gaussian density over [x - 1/255, x + 1/255]
        double m = 0.1, s = 0.3, x = 2 * 140 / 255.0 - 1, h = 1 / 255.0;
        double Pdf(double z) => Math.Exp(-0.5 * Math.Pow((z - m) / s, 2)) / (s * Math.Sqrt(2 * Math.PI));
        double simpson = 2 * h / 6 * (Pdf(x - h) + 4 * Pdf(x) + Pdf(x + h));
        var lp = DiscretizedGaussian.LogLikelihood(tensor(new[] { x }), tensor(new[] { m }), tensor(new[] { Math.Log(s) }));
        Assert.Equal(Math.Log(simpson), lp.item<double>(), 1e-9);
        // 600 standard deviations out: log Phi(b) ~ -b^2/2 - log(-b) - log(2 pi)/2 (Mills ratio), finite
        double xm = 2 * 10 / 255.0 - 1, mean = 0.9, scale = 1e-3;
        double b = (xm + h - mean) / scale;
        var tail = DiscretizedGaussian.LogLikelihood(tensor(new[] { xm }), tensor(new[] { mean }), tensor(new[] { Math.Log(scale) })).item<double>();
        Assert.True(double.IsFinite(tail));
        Assert.Equal(-b * b / 2 - Math.Log(-b) - 0.5 * Math.Log(2 * Math.PI), tail, Math.Abs(tail) * 1e-5);
        // the open edges: the bin of x = 1 is [1 - 1/255, inf), so with mean 5, scale 1 it holds 1 - Phi(-4.0039)
        var edge = DiscretizedGaussian.LogLikelihood(tensor(new[] { 1.0 }), tensor(new[] { 5.0 }), tensor(new[] { 0.0 })).item<double>();
        Assert.Equal(-3.1151e-5, edge, 1e-8);
        var farEdge = DiscretizedGaussian.LogLikelihood(tensor(new[] { -1.0 }), tensor(new[] { -30.0 }), tensor(new[] { 0.0 })).item<double>();
        Assert.Equal(0.0, farEdge, 1e-12);
    }

    /// <summary>
    /// E over x_t of each L_{t-1}, for the exact eps-model of N(mu, s^2) and any x_0, in closed form: with
    /// mu_theta = a x_t + b, a = (1 - beta/v)/sqrt(alpha), b = beta sqrt(abar) mu / (v sqrt(alpha)),
    /// v = abar s^2 + 1 - abar, and mu_tilde = c1 x_0 + c2 x_t, the difference d = mu_tilde - mu_theta has
    /// E d^2 = ((c1 + (c2 - a) sqrt(abar)) x_0 - b)^2 + (c2 - a)^2 (1 - abar); the KL adds
    /// log(sigma^2/beta_tilde) + beta_tilde/sigma^2 - 1 + E d^2 / sigma^2, halved, per dimension.
    /// </summary>
    [Theory]
    [InlineData("beta")]
    [InlineData("beta_tilde")]
    public void EveryTermMatchesItsClosedFormAndThePriorIsExact(string variance)
    {
        using var scope = NewDisposeScope();
        using var diffusion = new GaussianDiffusion(new NoiseSchedule(new NoiseScheduleConfig(Timesteps: 100, BetaEnd: 0.2)));
        var s = diffusion.Schedule;
        var data = new ExactGaussian([0.2f, -0.3f], [0.3f, 0.2f]);
        using var g = new Generator(17, CPU);
        const int B = 4000;
        var x0 = (tensor(data.Mu).unsqueeze(0) + tensor(data.S).unsqueeze(0) * randn([B, 2], generator: g)).clamp(-1, 1);
        using var result = new VariationalBound(diffusion, new VariationalBoundConfig(variance)).Evaluate(data.EpsModel(s), x0, g);
        Assert.True(result.Exact);
        Assert.Equal(Enumerable.Range(1, 99), result.Timesteps);
        var x = x0.to_type(ScalarType.Float64);
        double toBits = 1 / (2 * Ln2);

        // L_T: KL(N(sqrt(abar_T) x_0, 1 - abar_T) || N(0, 1)) per dimension
        double aT = s.AlphaBars[^1];
        var prior = (0.5 * ((1 - aT) + aT * x.pow(2) - 1 - Math.Log(1 - aT))).sum(1) * toBits;
        Assert.True(allclose(prior, result.Prior, rtol: 1e-10, atol: 1e-12));

        int worst = 0;
        double worstZ = 0;
        for (int k = 0; k < 99; k++)
        {
            int i = result.Timesteps[k];
            double abar = s.AlphaBars[i], abarPrev = s.AlphaBarsPrev[i], beta = s.Betas[i], alpha = s.Alphas[i];
            double bt = s.PosteriorVariance[i], sigma2 = variance == "beta" ? beta : bt;
            double c1 = Math.Sqrt(abarPrev) * beta / (1 - abar), c2 = Math.Sqrt(alpha) * (1 - abarPrev) / (1 - abar);
            var closed = zeros([B], dtype: ScalarType.Float64);
            for (int d = 0; d < 2; d++)
            {
                double v = abar * data.S[d] * data.S[d] + 1 - abar;
                double a = (1 - beta / v) / Math.Sqrt(alpha), b = beta * Math.Sqrt(abar) * data.Mu[d] / (v * Math.Sqrt(alpha));
                var ed2 = ((c1 + (c2 - a) * Math.Sqrt(abar)) * x[.., d] - b).pow(2) + (c2 - a) * (c2 - a) * (1 - abar);
                closed += 0.5 * (Math.Log(sigma2 / bt) + bt / sigma2 - 1 + ed2 / sigma2);
            }
            closed *= toBits;
            var diff = result.Terms[k] - closed;
            double mean = diff.mean().item<double>(), se = diff.std().item<double>() / Math.Sqrt(B);
            double z = Math.Abs(mean) / Math.Max(se, 1e-15);
            if (z > worstZ) (worstZ, worst) = (z, i);
            Assert.True(z < 5, $"t index {i}: Monte Carlo term {result.Terms[k].mean().item<double>()} vs closed form " +
                $"{closed.mean().item<double>()} ({z:F1} standard errors)");
        }
        output.WriteLine($"{variance}: bound {result.MeanBitsPerDim:F4} bits/dim (prior {result.Prior.mean().item<double>():E3}, decoder " +
            $"{result.Decoder.mean().item<double>():F4}); largest term deviation {worstZ:F2} standard errors at t index {worst}");
    }

    [Theory]
    [InlineData(100, 10)]
    [InlineData(1000, 50)]
    [InlineData(20, 19)]
    public void EveryTermHasUnitExpectedWeightInTheStratifiedSubset(int T, int K)
    {
        // unbiasedness of sum_k w_k L_{t_k}: E[w 1{index i drawn}] = 1 for every i in 1..T-1
        var bound = new VariationalBound(new GaussianDiffusion(new NoiseSchedule(new NoiseScheduleConfig(Timesteps: T))),
            new VariationalBoundConfig(Terms: K));
        using var g = new Generator(3, CPU);
        var expected = new double[T];
        const int draws = 3000;
        var blockSize = new double[T];
        for (int r = 0; r < draws; r++)
        {
            var (timesteps, weights) = bound.ChooseTerms(T, g);
            Assert.Equal(K, timesteps.Length);
            Assert.Equal(T - 1, weights.Sum());
            for (int k = 0; k < K; k++)
            {
                if (k > 0) Assert.True(timesteps[k] > timesteps[k - 1]);
                expected[timesteps[k]] += weights[k] / draws;
                blockSize[timesteps[k]] = weights[k];
            }
        }
        for (int i = 1; i < T; i++) // binomial: w * count / n has standard deviation sqrt((w - 1) / n)
            Assert.True(Math.Abs(expected[i] - 1) <= 5 * Math.Sqrt((blockSize[i] - 1) / draws) + 1e-12, $"index {i}: {expected[i]}");
    }

    [Fact]
    public void AStratifiedSubsetOfTermsEstimatesTheFullSum()
    {
        using var scope = NewDisposeScope();
        using var diffusion = new GaussianDiffusion(new NoiseSchedule(new NoiseScheduleConfig(Timesteps: 100, BetaEnd: 0.2)));
        var data = new ExactGaussian([0.2f, -0.3f], [0.3f, 0.2f]);
        var eps = data.EpsModel(diffusion.Schedule);
        using var g = new Generator(5, CPU);
        var x0 = (tensor(data.Mu).unsqueeze(0) + tensor(data.S).unsqueeze(0) * randn([500, 2], generator: g)).clamp(-1, 1);
        using var full = new VariationalBound(diffusion).Evaluate(eps, x0, g);
        var subset = new VariationalBound(diffusion, new VariationalBoundConfig(Terms: 10));
        var estimates = new List<double>();
        for (int r = 0; r < 40; r++)
        {
            using var e = subset.Evaluate(eps, x0, g);
            Assert.False(e.Exact);
            estimates.Add(e.MeanBitsPerDim);
        }
        double mean = estimates.Average(), sd = Math.Sqrt(estimates.Sum(v => (v - mean) * (v - mean)) / (estimates.Count - 1));
        output.WriteLine($"exact sum {full.MeanBitsPerDim:F5}, 40 stratified estimates (10 of 99 terms) {mean:F5} +- {sd:F5}");
        Assert.True(Math.Abs(mean - full.MeanBitsPerDim) < 5 * sd / Math.Sqrt(40) + 0.01, $"{mean} vs {full.MeanBitsPerDim}");
        Assert.True(sd < 0.1 * full.MeanBitsPerDim, $"spread {sd}");
    }

    [Fact]
    public void TheBoundIsAboveTheTrueNllAndWorseForAPerturbedModel()
    {
        using var scope = NewDisposeScope();
        using var diffusion = new GaussianDiffusion(new NoiseSchedule(new NoiseScheduleConfig()));
        var data = new ExactGaussian([0.1f, -0.2f, 0.3f, 0f], [0.2f, 0.3f, 0.25f, 0.15f]);
        var eps = data.EpsModel(diffusion.Schedule);
        using var g = new Generator(12, CPU);
        // data: N(mu, s^2) rounded to the pixel grid, so its exact discrete NLL is the discretised Gaussian
        var continuous = tensor(data.Mu).unsqueeze(0) + tensor(data.S).unsqueeze(0) * randn([1000, 4], generator: g);
        var x0 = ((continuous.clamp(-1, 1) + 1) * 127.5).round() / 127.5 - 1;
        var mu = tensor(data.Mu, dtype: ScalarType.Float64).unsqueeze(0).expand(1000, 4);
        var logS = tensor(data.S, dtype: ScalarType.Float64).log().unsqueeze(0).expand(1000, 4);
        var trueNllPerImage = -DiscretizedGaussian.LogLikelihood(x0, mu, logS).sum(1) / (4 * Ln2);
        double trueNll = trueNllPerImage.mean().item<double>();

        var bound = new VariationalBound(diffusion);
        using var exact = bound.Evaluate(eps, x0, new Generator(1, CPU));
        using var perturbed = bound.Evaluate((x, t) => 1.1 * eps(x, t) + 0.02, x0, new Generator(1, CPU));
        // E_data[bound - (-log p_data)] >= E_data[-log p_model + log p_data] = KL(p_data || p_model) >= 0
        double se = (exact.BitsPerDim - trueNllPerImage).std().item<double>() / Math.Sqrt(1000);
        output.WriteLine($"true NLL {trueNll:F4} bits/dim; bound with the exact eps-model {exact.MeanBitsPerDim:F4} +- {se:F4} " +
                         $"(prior {exact.Prior.mean().item<double>():E2}, terms " +
                         $"{(exact.BitsPerDim - exact.Prior - exact.Decoder).mean().item<double>():F4}, decoder " +
                         $"{exact.Decoder.mean().item<double>():F4}); perturbed model {perturbed.MeanBitsPerDim:F4}; {exact.Seconds:F1} s " +
                         $"for 1000 images x 1000 terms");
        Assert.True(exact.MeanBitsPerDim > trueNll - 3 * se, $"bound {exact.MeanBitsPerDim} below the true NLL {trueNll}");
        // measured gap 0.155 bits/dim (fixed variances, one-sample terms): a loose check against gross errors
        Assert.True(exact.MeanBitsPerDim < trueNll + 0.3, "the exact model's bound should be close to the true NLL");
        Assert.True(perturbed.MeanBitsPerDim > exact.MeanBitsPerDim + 0.05);
        Assert.True(exact.BitsPerDim.isfinite().all().item<bool>());
        Assert.Equal(exact.Timesteps.Length, exact.MeanTerms.Length);
    }

    [Fact]
    public void DataOutsideTheImageRangeIsAClearError()
    {
        using var diffusion = new GaussianDiffusion(new NoiseSchedule(new NoiseScheduleConfig(Timesteps: 10)));
        using var x0 = tensor(new[,] { { 0.5f, 3f } });
        var e = Assert.Throws<ConfigException>(() => new VariationalBound(diffusion).Evaluate((x, t) => zeros_like(x), x0, new Generator(1, CPU)));
        Assert.Contains("[-1, 1]", e.Message);
    }
}
