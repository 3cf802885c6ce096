using GenSharp.Data.Toy;
using GenSharp.Vdm;
using GenSharp.Vdm.Toy;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace GenSharp.Tests.Vdm;

/// <summary>
/// The toy VDM's bound beside the exact NLL (docs/vdm.md#toy-bound): with the exact denoiser of a 2D Gaussian mixture the bound on held-out
/// points, standardisation included, equals the exact negative log-likelihood of the same points up to the endpoints' tiny gap, within
/// Monte-Carlo error, under every schedule; a wrong denoiser's bound lies clearly above it.
/// </summary>
public sealed class ToyVdmBoundTests(ITestOutputHelper output)
{
    private static readonly double[] Weights = [0.5, 0.3, 0.2];
    private static readonly double[][] Means = [[-2, 0], [1.5, 1], [0.5, -2]];
    private static readonly double[][] Variances = [[0.3, 0.1], [0.05, 0.4], [0.2, 0.2]];   // diagonal covariances
    private static readonly double[] DataMean = [0.3, -1.0];
    private static readonly double[] DataStd = [2.0, 0.8];

    private static GaussianMixture2D Mixture() => new("three", Weights, Means,
        Variances.Select(v => new[] { new[] { v[0], 0.0 }, new[] { 0.0, v[1] } }).ToArray());

    /// <summary>
    /// The exact eps_hat of the standardised mixture (x - m) / s by Tweedie's formula: E[eps | z_t] = -sigma_t grad log p_t(z_t), p_t the
    /// mixture with means alpha_t mu'_k and diagonal variances alpha_t^2 v'_k + sigma_t^2; <paramref name="shift"/> moves every mean (a
    /// wrong model).
    /// </summary>
    private static Tensor ExactEps(Tensor z, Tensor gamma, double shift = 0)
    {
        using var scope = NewDisposeScope();
        var z64 = z.to_type(ScalarType.Float64);
        var g = gamma.to_type(ScalarType.Float64).unsqueeze(1);
        var alpha = LogSnr.Alpha(g);
        var sigma2 = sigmoid(g);
        var logits = new List<Tensor>();
        var scores = new List<Tensor>();
        for (int k = 0; k < Weights.Length; k++)
        {
            var mu = tensor(Means[k].Select((m, d) => (m + shift - DataMean[d]) / DataStd[d]).ToArray());
            var v = tensor(Variances[k].Select((x, d) => x / (DataStd[d] * DataStd[d])).ToArray());
            var variance = alpha.square() * v + sigma2;                     // (B, 2)
            var diff = z64 - alpha * mu;
            logits.Add(Math.Log(Weights[k]) - 0.5 * ((2 * Math.PI * variance).log() + diff.square() / variance).sum([1]));
            scores.Add(-diff / variance);
        }
        var r = softmax(stack(logits, 1), 1);                                // (B, K) posterior over components
        var score = (r.unsqueeze(2) * stack(scores, 1)).sum([1]);            // (B, 2)
        return (-sigma2.sqrt() * score).MoveToOuterDisposeScope();
    }

    [Theory]
    [InlineData("linear")]
    [InlineData("cosine")]
    [InlineData("learned")]
    public void WithTheExactDenoiserTheBoundIsTheExactNllWithinMonteCarloError(string kind)
    {
        manual_seed(4);
        using var schedule = new LogSnrScheduleConfig { Kind = kind, Hidden = 64 }.Create();
        var b = ToyVdmBound.Compute((z, g) => ExactEps(z, g), schedule, Mixture(), DataMean, DataStd, 200_000, seed: 11, CPU);
        output.WriteLine($"{kind}: bound {b.Bound.Mean:F4} +- {b.Bound.StandardError:F4}, exact NLL {b.ExactNll.Mean:F4}, " +
            $"gap {b.Gap.Mean:F4} +- {b.Gap.StandardError:F4} (diffusion {b.Diffusion.Mean:F3}, prior {b.Prior.Mean:F4}, " +
            $"reconstruction {b.Reconstruction.Mean:F3}, standardisation {b.Standardisation:F4})");
        Assert.Equal(Math.Log(2.0) + Math.Log(0.8), b.Standardisation, 12);
        Assert.True(b.Gap.Mean > -4 * b.Gap.StandardError, $"bound below the exact NLL: {b.Gap.Mean} +- {b.Gap.StandardError}");
        // the endpoints' gap (the prior term, ~0.03 nats per point here, and the decoder's) is all that separates them
        Assert.True(b.Gap.Mean < b.Prior.Mean + 0.01 + 4 * b.Gap.StandardError, $"gap {b.Gap.Mean} +- {b.Gap.StandardError}");
        Assert.InRange(b.Gap.StandardError, 1e-3, kind == "cosine" ? 0.3 : 0.06);   // cosine: gamma' is large near the endpoints
    }

    [Fact]
    public void AWrongDenoisersBoundLiesClearlyAboveTheExactNll()
    {
        using var schedule = new LinearLogSnr(-13.3, 5.0);
        var b = ToyVdmBound.Compute((z, g) => ExactEps(z, g, shift: 0.5), schedule, Mixture(), DataMean, DataStd, 100_000, seed: 12, CPU);
        output.WriteLine($"shifted means: gap {b.Gap.Mean:F4} +- {b.Gap.StandardError:F4}");
        Assert.True(b.Gap.Mean > 10 * b.Gap.StandardError);
    }
}
