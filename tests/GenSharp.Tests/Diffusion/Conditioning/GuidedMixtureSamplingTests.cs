using GenSharp.Data.Toy;
using GenSharp.Diffusion;
using GenSharp.Diffusion.Conditioning;
using GenSharp.Diffusion.Samplers;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Diffusion.Conditioning;

/// <summary>
/// Guided sampling with the exact noise predictor of a 3-component Gaussian mixture: x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps has the
/// law of the mixture with means sqrt(abar_t) mu_k and covariances abar_t Sigma_k + (1 - abar_t) I, so
/// eps(x, t, y) = -sqrt(1 - abar_t) grad log p_t(x | y) with p_t(x | k) one component and p_t(x | null) the mixture. At w = 1 the samples of
/// class k follow N(mu_k, Sigma_k) (mean and covariance against the closed form, within a few standard errors); at w = 0 they follow the
/// mixture, whose components receive their weights.
/// </summary>
public sealed class GuidedMixtureSamplingTests
{
    private const int N = 3000;

    private static readonly GaussianMixture2D Mixture = new("three", [0.5, 0.3, 0.2],
        [[-3, 0], [2, 2], [2, -2]],
        [[[0.5, 0.2], [0.2, 0.4]], [[0.3, 0.0], [0.0, 0.6]], [[0.4, -0.1], [-0.1, 0.3]]]);

    /// <summary>The exact conditional predictor; rows with label K (the null label) get the mixture's.</summary>
    private static ConditionalNoisePredictor Exact(GaussianDiffusion diffusion) => (x, t, y) =>
    {
        using var scope = NewDisposeScope();
        int ti = (int)t[0].item<long>();
        Assert.True((t == ti).all().item<bool>()); // samplers call with one timestep per batch
        double abar = diffusion.Schedule.AlphaBars[ti];
        var eps = zeros_like(x);
        for (int v = 0; v <= Mixture.Components; v++)
        {
            var index = nonzero(y == v).flatten();
            if (index.shape[0] == 0) continue;
            var ks = v == Mixture.Components ? Enumerable.Range(0, Mixture.Components).ToArray() : [v];
            var noised = new GaussianMixture2D("noised",
                ks.Select(k => Mixture.Weights[k] / ks.Sum(j => Mixture.Weights[j])).ToArray(),
                ks.Select(k => Mixture.Means[k].Select(m => Math.Sqrt(abar) * m).ToArray()).ToArray(),
                ks.Select(k => Mixture.Covariances[k]
                    .Select((row, i) => row.Select((c, j) => abar * c + (i == j ? 1 - abar : 0)).ToArray()).ToArray()).ToArray());
            eps.index_copy_(0, index, -Math.Sqrt(1 - abar) * noised.Score(x.index_select(0, index)));
        }
        return eps.MoveToOuterDisposeScope();
    };

    private static Tensor Draw(double w, int label, bool forceBatched = false)
    {
        using var diffusion = new GaussianDiffusion(new NoiseSchedule(new NoiseScheduleConfig()));
        var model = Exact(diffusion);
        using var labels = full([N], (long)label, dtype: ScalarType.Int64);
        var eps = forceBatched
            ? (x, t) => ClassifierFreeGuidance.Batched(model, x, t, labels, Mixture.Components, w)
            : ClassifierFreeGuidance.Guide(model, labels, Mixture.Components, w);
        using var g = new Generator(21, CPU);
        return new DdimSampler(diffusion, new DdimSamplerConfig(200, 1.0, "trailing")).Sample(eps, [N, 2], g, CPU).Samples;
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, false)]
    [InlineData(2, true)] // the batched formula at w = 1: eps(null) + (eps(c) - eps(null))
    public void AtWeightOneTheSamplesOfAClassFollowItsComponent(int k, bool batched)
    {
        using var x = Draw(1.0, k, batched);
        using var xd = x.to_type(ScalarType.Float64);
        var mean = xd.mean([0]).data<double>().ToArray();
        using var centred = xd - xd.mean([0]);
        var cov = (centred.T.matmul(centred) / (N - 1)).data<double>().ToArray();
        var mu = Mixture.Means[k];
        var sigma = Mixture.Covariances[k];
        for (int i = 0; i < 2; i++)
        {
            double se = Math.Sqrt(sigma[i][i] / N);
            Assert.InRange(mean[i], mu[i] - 5 * se - 0.02, mu[i] + 5 * se + 0.02);
            for (int j = 0; j < 2; j++)
            {
                double seCov = Math.Sqrt((sigma[i][i] * sigma[j][j] + sigma[i][j] * sigma[i][j]) / N); // Var of a sample covariance, Gaussian
                Assert.InRange(cov[i * 2 + j], sigma[i][j] - 5 * seCov - 0.03, sigma[i][j] + 5 * seCov + 0.03);
            }
        }
        double inComponent = GenSharp.Evaluation.Toy2DMetrics.ComponentFractions(Mixture, x)[k];
        Assert.True(inComponent > 0.99, $"fraction in component {k}: {inComponent}");
    }

    [Fact]
    public void AtWeightZeroTheSamplesFollowTheMixture()
    {
        using var x = Draw(0.0, label: 1);
        var fractions = GenSharp.Evaluation.Toy2DMetrics.ComponentFractions(Mixture, x);
        for (int k = 0; k < 3; k++)
        {
            double w = Mixture.Weights[k], se = Math.Sqrt(w * (1 - w) / N);
            Assert.InRange(fractions[k], w - 5 * se - 0.01, w + 5 * se + 0.01);
        }
    }
}
