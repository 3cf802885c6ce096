using GenSharp.Score;
using GenSharp.Score.Images;
using GenSharp.Score.Samplers;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Score;

/// <summary>
/// Annealed Langevin dynamics on images driven by the exact score of a Gaussian data model, and the sampling
/// plan of an image NCSN (levels used, technique-4 eps, overrides).
/// </summary>
public sealed class NcsnImageSamplingTests
{
    /// <summary>
    /// Data x ~ N(mu, diag(s^2)) per pixel, noised by sigma: p_sigma = N(mu, s^2 + sigma^2), score -(x - mu) / (s^2 + sigma^2).
    /// Every Langevin step x' = x + alpha score + sqrt(2 alpha) z is then linear-Gaussian, so per pixel
    ///   m' - mu = (1 - a)(m - mu),  v' = (1 - a)^2 v + 2 alpha,  a = alpha / (s^2 + sigma^2),
    /// and the final denoising x + sigma_L^2 score scales the deviation by 1 - sigma_L^2 / (s^2 + sigma_L^2).
    /// The chains must match this recursion, and (with enough steps at the last level) the law it converges to:
    /// mean mu and variance (s^2 + sigma_L^2) (s^2 / (s^2 + sigma_L^2))^2 = s^4 / (s^2 + sigma_L^2), Tweedie's E[x | x~].
    /// </summary>
    [Trait("Category", "Slow")]
    [Fact]
    public void AnnealedLangevinWithTheExactGaussianScoreHasTheClosedFormMoments()
    {
        using var scope = NewDisposeScope();
        const int n = 4000, side = 4;
        using var g = new Generator(11, CPU);
        var mu = (rand([1, 1, side, side], generator: g) * 0.8 + 0.1).to_type(ScalarType.Float64);      // means in [0.1, 0.9]
        var s = (rand([1, 1, side, side], generator: g) * 0.3 + 0.3).to_type(ScalarType.Float64);       // std in [0.3, 0.6]
        var s2 = s.pow(2);
        NoiseConditionalScore score = (x, sigma) => -(x - mu) / (s2 + Scores.Broadcastable(sigma, x).pow(2));

        var sigmas = NoiseLevels.Geometric(10, 0.1, 10);
        var config = new AnnealedLangevinConfig(sigmas, StepsPerLevel: 200, Eps: 0.004, FinalDenoise: true);
        var x0 = rand([n, 1, side, side], generator: g, dtype: ScalarType.Float64);                       // uniform start, as the recipe
        var result = new AnnealedLangevinDynamics(config).Run(score, x0, g);
        Assert.Equal(10 * 200 + 1, result.FunctionEvaluations);

        // the exact recursion, per pixel
        var muD = mu.flatten().data<double>().ToArray();
        var s2D = s2.flatten().data<double>().ToArray();
        var mean = result.Samples.mean([0]).flatten().data<double>().ToArray();
        var variance = result.Samples.var(0).flatten().data<double>().ToArray();
        double sL2 = sigmas[^1] * sigmas[^1];
        for (int p = 0; p < muD.Length; p++)
        {
            double m = 0.5, v = 1.0 / 12;
            for (int i = 0; i < sigmas.Length; i++)
            {
                double alpha = config.StepSize(i), a = alpha / (s2D[p] + sigmas[i] * sigmas[i]);
                for (int t = 0; t < config.StepsPerLevel; t++)
                {
                    m = muD[p] + (1 - a) * (m - muD[p]);
                    v = (1 - a) * (1 - a) * v + 2 * alpha;
                }
            }
            double shrink = 1 - sL2 / (s2D[p] + sL2);
            m = muD[p] + shrink * (m - muD[p]);
            v = shrink * shrink * v;

            double target = s2D[p] * s2D[p] / (s2D[p] + sL2);
            Assert.True(Math.Abs(mean[p] - m) < 5 * Math.Sqrt(v / n), $"pixel {p}: mean {mean[p]:F4}, recursion {m:F4}");
            Assert.True(Math.Abs(variance[p] / v - 1) < 0.12, $"pixel {p}: variance {variance[p]:F4}, recursion {v:F4}");
            // and the recursion is at the target law: the sampler (not only the test's arithmetic) gets the moments right
            Assert.True(Math.Abs(m - muD[p]) < 0.01, $"pixel {p}: recursion mean {m:F4} vs mu {muD[p]:F4}");
            Assert.True(Math.Abs(v / target - 1) < 0.05, $"pixel {p}: recursion variance {v:F4} vs s^4/(s^2+sigma_L^2) = {target:F4}");
            Assert.True(Math.Abs(variance[p] / target - 1) < 0.15, $"pixel {p}: variance {variance[p]:F4} vs target {target:F4}");
        }
    }

    [Fact]
    public void LevelsUsedAreEvenlySpacedAndEpsFollowsTechniqueFour()
    {
        var sigmas = NoiseLevels.Geometric(20, 0.01, 101);
        var all = new NcsnSamplingConfig().Build(sigmas);
        Assert.Equal(101, all.Sigmas.Length);
        Assert.Equal(101 * 5 + 1, all.FunctionEvaluations);
        var (eps, _) = Ncsnv2Techniques.ChooseEps(5, NoiseLevels.Ratio(sigmas), 0.01);
        Assert.Equal(eps, all.Eps, 12);

        var cheap = new NcsnSamplingConfig { StepsPerLevel = 3, LevelsUsed = 11, FinalDenoise = false };
        Assert.Equal([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100], cheap.LevelIndices(101));
        var built = cheap.Build(sigmas);
        Assert.Equal(20, built.Sigmas[0], 12);
        Assert.Equal(0.01, built.Sigmas[^1], 12);
        Assert.Equal(33, built.FunctionEvaluations);
        // fewer levels = a larger ratio between them, hence technique 4 for that ratio and T = 3
        Assert.Equal(Ncsnv2Techniques.ChooseEps(3, NoiseLevels.Ratio(built.Sigmas), 0.01).Eps, built.Eps, 12);

        // overrides: a new T recomputes eps unless given; a given eps is kept
        var withEps = new NcsnSamplingConfig { Eps = 1e-5 };
        Assert.Null(withEps.With(new AnnealedLangevinOverrides(StepsPerLevel: 3)).Eps);
        Assert.Equal(2e-5, withEps.With(new AnnealedLangevinOverrides(StepsPerLevel: 3, Eps: 2e-5)).Eps);
        Assert.Equal(1e-5, withEps.With(new AnnealedLangevinOverrides(FinalDenoise: false)).Eps);
        Assert.False(withEps.With(new AnnealedLangevinOverrides(FinalDenoise: false)).FinalDenoise);

        Assert.Throws<ConfigException>(() => new NcsnSamplingConfig { LevelsUsed = 102 }.Build(sigmas));
        Assert.Throws<ConfigException>(() => new NcsnSamplingConfig { LevelsUsed = 1 }.Build(sigmas));
        Assert.Throws<ConfigException>(() => new NcsnSamplingConfig { StepsPerLevel = 0 }.Build(sigmas));
        var diverging = Assert.Throws<ConfigException>(() => new NcsnSamplingConfig { Eps = 1 }.Build(sigmas));
        Assert.Contains("diverge", diverging.Message);
    }
}
