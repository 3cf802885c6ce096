using GenSharp.Data.Toy;
using GenSharp.Score;
using GenSharp.Score.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Score;

public sealed class ScoreLossTests
{
    [Fact]
    public void DenoisingScoreMatchingOptimumIsTheNoisedGaussianScore()
    {
        // data N(mu, diag(s^2)); at level sigma the optimum is grad log N(mu, diag(s^2 + sigma^2)):
        // s*(x) = -(x - mu) / (s^2 + sigma^2). A per-level affine model a_l * x + b_l can represent it.
        using var scope = NewDisposeScope();
        using var g = new Generator(1, CPU);
        double[] mu = [1.5, -0.5], s = [0.6, 1.3], sigmas = [0.5, 2.0];
        var x = randn([60_000, 2], generator: g) * tensor(s).to_type(ScalarType.Float32) + tensor(mu).to_type(ScalarType.Float32);
        var level = randint(0, 2, [60_000], generator: g);
        var sigma = tensor(sigmas).to_type(ScalarType.Float32).index_select(0, level);
        var z = randn([60_000, 2], generator: g);
        var a = new TorchSharp.Modules.Parameter(zeros([2, 2]));
        var b = new TorchSharp.Modules.Parameter(zeros([2, 2]));
        NoiseConditionalScore model = (u, _) => a.index_select(0, level) * u + b.index_select(0, level);
        using var opt = optim.Adam([a, b], lr: 0.05);
        for (int step = 0; step < 400; step++)
        {
            using var stepScope = NewDisposeScope();
            opt.zero_grad();
            DenoisingScoreMatching.Loss(model, x, sigma, z).backward();
            opt.step();
        }
        for (int l = 0; l < 2; l++)
            for (int d = 0; d < 2; d++)
            {
                double v = s[d] * s[d] + sigmas[l] * sigmas[l];
                Assert.Equal(-1 / v, a[l, d].item<float>(), 0.03 / v);
                Assert.Equal(mu[d] / v, b[l, d].item<float>(), 0.03 / v + 0.01);
            }
    }

    [Fact]
    public void ParzenScoreIsTheScoreOfTheBlurredEmpiricalDistribution()
    {
        using var scope = NewDisposeScope();
        double[][] points = [[0, 0], [3, 1], [-2, 4]];
        var reference = tensor(points.SelectMany(p => p).ToArray()).reshape(3, 2).to_type(ScalarType.Float32);
        const double sigma = 1.3;
        var empirical = new GaussianMixture2D("empirical", [1.0 / 3, 1.0 / 3, 1.0 / 3], points,
            points.Select(_ => new[] { new[] { sigma * sigma, 0.0 }, new[] { 0.0, sigma * sigma } }).ToArray());
        using var g = new Generator(2, CPU);
        var x = randn([500, 2], generator: g) * 3;
        var parzen = ParzenScoreMatching.Score(reference, x, full([500], sigma));
        Assert.True(allclose(parzen, empirical.Score(x), rtol: 1e-4, atol: 1e-4));
    }

    /// <summary>A fixed nonlinear vector field s(x) = W2 tanh(W1 x + c) + d, with a non-trivial Jacobian.</summary>
    private static Func<Tensor, Tensor> RandomField(Generator g)
    {
        var w1 = randn([2, 16], generator: g) * 0.4;
        var c = randn([16], generator: g);
        var w2 = randn([16, 2], generator: g) * 0.5;
        var d = randn([2], generator: g);
        return x => (x.matmul(w1) + c).tanh().matmul(w2) + d;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SlicedAndExplicitScoreMatchingAgreeInExpectation(bool varianceReduced)
    {
        // J_ESM(theta) = J_SSM(theta) + 1/2 E ||grad log p||^2 (integration by parts), for any field s_theta.
        using var scope = NewDisposeScope();
        var p = ToyDistributions.Mog2().Convolve(1.0);
        using var g = new Generator(4, CPU);
        var x = p.Sample(100_000, g);
        var field = RandomField(g);
        var esm = ExplicitScoreMatching.Objective(field, x, p.Score).to_type(ScalarType.Float64);
        var half = (0.5 * p.Score(x).pow(2).sum(1)).to_type(ScalarType.Float64);
        var ssm = SlicedScoreMatching.Objective(field, x, g, varianceReduced).detach().to_type(ScalarType.Float64);
        var diff = esm - half - ssm;                        // zero in expectation
        double mean = diff.mean().item<double>(), se = diff.std().item<double>() / Math.Sqrt(diff.shape[0]);
        Assert.True(Math.Abs(mean) < 4 * se, $"E[ESM - 1/2|s_p|^2 - SSM] = {mean} (standard error {se})");
        // and the comparison is not vacuous: both sides are far from zero, and ESM differs from 1/2 |s - s_p|^2 at s = 0
        Assert.True(Math.Abs(ssm.mean().item<double>()) > 20 * se);
    }

    [Fact]
    public void LossesShareTheirMinimiserOnTheirCommonTarget()
    {
        // the exact score of p_sigma has zero explicit loss and lower DSM / SSM loss than a perturbed field
        using var scope = NewDisposeScope();
        var p = ToyDistributions.Mog2();
        NoiseConditionalScore exact = (x, sigma) => p.Convolve(sigma[0].item<float>()).Score(x);
        NoiseConditionalScore worse = (x, sigma) => exact(x, sigma) * 0.8 + 0.3;
        using var g = new Generator(5, CPU);
        var data = p.Sample(4000, g);
        var sigma = full([4000], 2.0f);
        var context = new ScoreLossContext(data, exact);
        foreach (string name in ScoreLossRegistry.Names)
        {
            var loss = ScoreLossRegistry.Create(name, context);
            using var g1 = new Generator(9, CPU);
            using var g2 = new Generator(9, CPU);
            double best = loss.Loss(exact, data, sigma, g1).item<float>();
            double other = loss.Loss(worse, data, sigma, g2).item<float>();
            Assert.True(best < other, $"{name}: exact score {best} vs perturbed {other}");
            if (name == ExplicitScoreMatching.RegistryName) Assert.Equal(0, best, 1e-6);
        }
    }
}
