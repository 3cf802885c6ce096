using GenSharp.Data.Toy;
using GenSharp.Diffusion.Samplers;
using GenSharp.Evaluation;
using GenSharp.Score;
using GenSharp.Score.Samplers;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Score;

public sealed class LangevinTests
{
    private static readonly double[] Mu = [1.0, -2.0];
    private static readonly double[,] Sigma = { { 1.0, 0.5 }, { 0.5, 2.0 } };

    private static Tensor Precision() => linalg.inv(tensor(new[] { Sigma[0, 0], Sigma[0, 1], Sigma[1, 0], Sigma[1, 1] }).reshape(2, 2));

    private static Func<Tensor, Tensor> GaussianScore()
    {
        var p = Precision().to_type(ScalarType.Float32);
        var mu = tensor(Mu).to_type(ScalarType.Float32);
        return x => -(x - mu).matmul(p);   // -P (x - mu), P symmetric
    }

    /// <summary>
    /// The Euler-Maruyama chain x' = (I - alpha P) x + c z on a Gaussian is Gaussian with stationary
    /// covariance C solving C = A C A + c^2 I, A = I - alpha P: C = c^2 (2 alpha P - alpha^2 P^2)^{-1}
    /// (= Sigma (I - alpha P / 2)^{-1} for c^2 = 2 alpha: Sigma up to O(alpha)).
    /// </summary>
    private static Tensor StationaryCovariance(double alpha, double c2)
    {
        var p = Precision();
        return c2 * linalg.inv(2 * alpha * p - alpha * alpha * p.matmul(p));
    }

    private static (Tensor Mean, Tensor Cov) Moments(Tensor x)
    {
        var xd = x.to_type(ScalarType.Float64);
        var m = xd.mean([0]);
        var c = (xd - m).T.matmul(xd - m) / (x.shape[0] - 1);
        return (m, c);
    }

    [Theory]
    [InlineData(LangevinNoise.Correct, 2.0)]
    [InlineData(LangevinNoise.Course, 0.1)]
    public void LangevinWithTheExactGaussianScoreHasTheRightStationaryMoments(LangevinNoise noise, double c2PerAlpha)
    {
        using var scope = NewDisposeScope();
        const double alpha = 0.05;
        using var g = new Generator(8, CPU);
        var x0 = randn([20_000, 2], generator: g) * 3;
        var result = new LangevinDynamics(new LangevinConfig(alpha, 500, noise)).Run(GaussianScore(), x0, g);
        var (mean, cov) = Moments(result.Samples);
        var expected = StationaryCovariance(alpha, c2PerAlpha * alpha);
        Assert.Equal(Mu[0], mean[0].item<double>(), 0.04);
        Assert.Equal(Mu[1], mean[1].item<double>(), 0.05);
        var rel = ((cov - expected).abs() / expected[0, 0]).max().item<double>();
        string Text(Tensor m) => m.data<double>().ToArray().Select(v => v.ToString("F3")).Aggregate((a, b) => a + " " + b);
        Assert.True(rel < 0.04, $"covariance {Text(cov)} vs {Text(expected)}");
        if (noise == LangevinNoise.Correct) // and the correct chain is close to Sigma itself
            Assert.Equal(Sigma[1, 1], cov[1, 1].item<double>(), 0.15);
        Assert.Equal(500, result.FunctionEvaluations);
    }

    [Fact]
    public void DeterministicAscentRunsToTheMode()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(2, CPU);
        var x0 = randn([100, 2], generator: g) * 10;
        var observer = new SamplingObserver(recordAt: [0, 1, 800]);
        var result = new LangevinDynamics(new LangevinConfig(0.1, 800, LangevinNoise.None)).Run(GaussianScore(), x0, g, observer);
        var mode = tensor(Mu).to_type(ScalarType.Float32);
        Assert.True((result.Samples - mode).abs().max().item<float>() < 1e-3);
        Assert.True(result.Trajectory[0].eq(x0).all().item<bool>());
        Assert.True(allclose(result.Trajectory[1], x0 + 0.1 * GaussianScore()(x0)));
        Assert.True(result.Trajectory[800].eq(result.Samples).all().item<bool>());
    }

    [Trait("Category", "Slow")]
    [Fact]
    public void AnnealedLangevinRecoversUnequalWeightsWherePlainLangevinDoesNot()
    {
        using var scope = NewDisposeScope();
        var p = ToyDistributions.Mog2(); // weights 0.7 / 0.3
        var sigmas = NoiseLevels.Geometric(20, 1, 20);
        var noised = sigmas.ToDictionary(s => (float)s, s => p.Convolve(s));
        NoiseConditionalScore exact = (x, sigma) => noised[sigma[0].item<float>()].Score(x);
        const double eps = 0.1; // alpha_i = 0.1 sigma_i^2: enough mixing per level to move mass between the separating modes
        using var g = new Generator(6, CPU);
        var x0 = rand([4000, 2], generator: g) * 30 - 15; // uniform on [-15, 15]^2
        var annealed = new AnnealedLangevinDynamics(new AnnealedLangevinConfig(sigmas, 50, eps)).Run(exact, x0, g);
        var plain = new LangevinDynamics(new LangevinConfig(0.1, 1000)).Run(p.Score, x0, g);
        double annealedError = Toy2DMetrics.ComponentFractions(p, annealed.Samples).Zip(p.Weights, (f, w) => Math.Abs(f - w)).Max();
        double plainError = Toy2DMetrics.ComponentFractions(p, plain.Samples).Zip(p.Weights, (f, w) => Math.Abs(f - w)).Max();
        Assert.True(annealedError < 0.03, $"annealed Langevin weight error {annealedError}");
        Assert.True(plainError > 0.1, $"plain Langevin weight error {plainError}");
        Assert.Equal(20 * 50 + 1, annealed.FunctionEvaluations);
    }

    [Fact]
    public void AnnealedLangevinKeepsLiveTensorCountFlat()
    {
        var score = GaussianScore();
        var sampler = new AnnealedLangevinDynamics(new AnnealedLangevinConfig([3.0, 2.0, 1.0], 40, 0.01));
        using var g = new Generator(5, CPU);
        using var x0 = randn([64, 2], generator: g);
        sampler.Run((x, _) => score(x), x0, g).Samples.Dispose();
        DisposeScopeManager.Statistics.Reset();
        using (var scope = NewDisposeScope())
            sampler.Run((x, _) => score(x), x0, g);
        Assert.Equal(0, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
