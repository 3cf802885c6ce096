using GenSharp.Score;
using GenSharp.Score.Images;
using GenSharp.Score.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Score;

/// <summary>
/// Sliced score matching (docs/score-models.md#sliced) against closed forms on image-shaped Gaussian data x ~ N(mu, diag(s^2)) in
/// (B, 1, 4, 4), with a linear score field s(x) = A x + b (a full 16 x 16 matrix, so the Jacobian is A and its trace is known):
///   J_SSM = tr(A) + 1/2 E||A x + b||^2 = tr(A) + 1/2 (||A mu + b||^2 + tr(A diag(s^2) A^T)),
///   J_ESM = 1/2 E||s(x) - grad log p(x)||^2 = J_SSM + 1/2 E||grad log p||^2 = J_SSM + 1/2 sum_i 1 / s_i^2.
/// </summary>
public sealed class SlicedScoreMatchingGaussianTests
{
    private const int D = 16;

    private sealed record Setup(Tensor Mu, Tensor S, Tensor A, Tensor B)
    {
        public Tensor Field(Tensor x) =>                                                  // (N, 1, 4, 4) -> (N, 1, 4, 4)
            (x.flatten(1).matmul(A.t()) + B).reshape(x.shape);

        /// <summary>J_SSM and J_ESM in closed form for data of per-coordinate variances <paramref name="variance"/> (D).</summary>
        public (double Ssm, double Esm) Exact(Tensor variance)
        {
            var A64 = A.to_type(ScalarType.Float64);
            var mean = A64.matmul(Mu.to_type(ScalarType.Float64)) + B.to_type(ScalarType.Float64);
            double quadratic = mean.pow(2).sum().item<double>() + (A64 * A64 * variance.unsqueeze(0)).sum().item<double>();
            double ssm = A64.trace().item<double>() + 0.5 * quadratic;
            return (ssm, ssm + 0.5 * (1.0 / variance).sum().item<double>());
        }
    }

    private static Setup Make(Generator g)
    {
        var mu = randn([D], generator: g, dtype: ScalarType.Float64);
        var s = 0.5 + rand([D], generator: g, dtype: ScalarType.Float64);
        var a = (-eye(D, dtype: ScalarType.Float64) + 0.3 * randn([D, D], generator: g, dtype: ScalarType.Float64)).to_type(ScalarType.Float32);
        var b = (0.5 * randn([D], generator: g, dtype: ScalarType.Float64)).to_type(ScalarType.Float32);
        return new Setup(mu, s, a, b);
    }

    private static Tensor Draw(Setup setup, Tensor sd, int n, Generator g) =>
        (setup.Mu + sd * randn([n, D], generator: g, dtype: ScalarType.Float64)).to_type(ScalarType.Float32).reshape(n, 1, 4, 4);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheEstimatorEqualsTheExactObjectiveInExpectation(bool varianceReduced)
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(31, CPU);
        var setup = Make(g);
        var x = Draw(setup, setup.S, 40_000, g);
        var estimates = SlicedScoreMatching.Objective(setup.Field, x, g, varianceReduced).detach().to_type(ScalarType.Float64);
        double mean = estimates.mean().item<double>(), se = estimates.std().item<double>() / Math.Sqrt(estimates.shape[0]);
        var (ssm, esm) = setup.Exact(setup.S.pow(2));
        Assert.True(Math.Abs(mean - ssm) < 4 * se, $"E[SSM estimate] {mean} vs closed form {ssm} (standard error {se})");
        // the explicit objective, which needs the unknown score, is the estimator's mean plus 1/2 E||grad log p||^2
        double esmEstimate = mean + 0.5 * (1.0 / setup.S.pow(2)).sum().item<double>();
        Assert.True(Math.Abs(esmEstimate - esm) < 4 * se, $"ESM {esmEstimate} vs {esm}");
        // the trace term is not vacuous: without it the closed form would be off by many standard errors
        Assert.True(Math.Abs(setup.A.trace().item<float>()) > 20 * se);
    }

    [Theory]
    [InlineData("ssm")]
    [InlineData("ssm-vr")]
    public void TheImageObjectiveIsSlicedScoreMatchingOfTheNoisedDataWeightedBySigmaSquared(string loss)
    {
        // train ncsn --loss ssm|ssm-vr: x~ = x + sigma z ~ N(mu, diag(s^2 + sigma^2)), weight sigma^2
        using var scope = NewDisposeScope();
        using var g = new Generator(32, CPU);
        var setup = Make(g);
        const double sigma = 0.7;
        int n = 40_000;
        var x = Draw(setup, setup.S, n, g);
        var objective = new NcsnObjectiveConfig { Loss = loss }.Validate().Create();
        NoiseConditionalScore score = (u, _) => setup.Field(u);
        double value = objective.Loss(score, x, full([n], (float)sigma), g).item<float>();
        var variance = setup.S.pow(2) + sigma * sigma;
        var (ssm, _) = setup.Exact(variance);
        // standard error of the mean from an independent draw of the same per-example terms
        var noisy = Draw(setup, variance.sqrt(), n, g);
        var terms = SlicedScoreMatching.Objective(setup.Field, noisy, g, loss == "ssm-vr").detach().to_type(ScalarType.Float64);
        double se = sigma * sigma * terms.std().item<double>() / Math.Sqrt(n);
        Assert.True(Math.Abs(value - sigma * sigma * ssm) < 4 * se + 1e-4 * Math.Abs(ssm),
            $"{loss}: loss {value} vs sigma^2 J_SSM {sigma * sigma * ssm} (standard error {se})");
    }

    [Fact]
    public void OnlyTheImageObjectivesAreAccepted()
    {
        Assert.Equal("dsm", new NcsnObjectiveConfig().Validate().Create().Name);
        Assert.Contains("--loss parzen", Assert.Throws<ConfigException>(() => new NcsnObjectiveConfig { Loss = "parzen" }.Validate()).Message);
        Assert.Contains("--projections", Assert.Throws<ConfigException>(() => new NcsnObjectiveConfig { Projections = 2 }.Validate()).Message);
        Assert.Equal(4, ((SlicedScoreMatching)new NcsnObjectiveConfig { Loss = "ssm", Projections = 4 }.Validate().Create()).Projections);
    }
}
