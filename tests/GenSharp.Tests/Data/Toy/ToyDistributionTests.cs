using GenSharp.Data.Toy;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Data.Toy;

public sealed class ToyDistributionTests
{
    public static TheoryData<string> Names() => [.. ToyRegistry.Names];

    [Theory]
    [MemberData(nameof(Names))]
    public void AnalyticScoreEqualsTheAutogradGradientOfTheLogDensity(string name)
    {
        using var scope = NewDisposeScope();
        var toy = ToyRegistry.Resolve(name);
        using var g = new Generator(3, CPU);
        // samples from the toy, random points in a wide box, and far-away points (numerical stability)
        var x = cat([toy.Sample(200, g).to_type(ScalarType.Float64),
                     rand([200, 2], dtype: ScalarType.Float64, generator: g) * 30 - 15,
                     tensor(new double[] { 60, -45, -80, 80, 0, 100 }, dtype: ScalarType.Float64).reshape(3, 2)], 0)
                .requires_grad_(true);
        var logp = toy.LogProb(x);
        Assert.True(logp.isfinite().all().item<bool>());
        var grad = autograd.grad([logp.sum()], [x])[0];
        var score = toy.Score(x.detach());
        Assert.True(allclose(score, grad, rtol: 1e-8, atol: 1e-8), $"{name}: max |score - grad| = {(score - grad).abs().max().item<double>()}");
    }

    [Fact]
    public void Mog2DensityIntegratesToOneAndSamplesMatchWeightsMeansAndCovariances()
    {
        using var scope = NewDisposeScope();
        var mog = ToyDistributions.Mog2();
        // integral over [-15, 15]^2 on a 600 x 600 grid
        var axis = linspace(-15, 15, 601, dtype: ScalarType.Float64);
        var grid = meshgrid([axis, axis], indexing: "ij");
        var pts = stack([grid[0].flatten(), grid[1].flatten()], 1);
        double cell = Math.Pow(30.0 / 600, 2);
        Assert.Equal(1.0, mog.LogProb(pts).exp().sum().item<double>() * cell, 3);

        using var g = new Generator(5, CPU);
        var (x, k) = mog.SampleWithComponents(200_000, g);
        var xd = x.to_type(ScalarType.Float64);
        for (int c = 0; c < 2; c++)
        {
            var mask = k.eq(c);
            double fraction = mask.to_type(ScalarType.Float64).mean().item<double>();
            Assert.Equal(mog.Weights[c], fraction, 0.005);
            var xc = xd[mask];
            var mean = xc.mean([0]);
            var centred = xc - mean;
            var cov = centred.T.matmul(centred) / (xc.shape[0] - 1);
            Assert.Equal(mog.Means[c][0], mean[0].item<double>(), 0.03);
            Assert.Equal(mog.Means[c][1], mean[1].item<double>(), 0.03);
            Assert.Equal(mog.Covariances[c][0][0], cov[0, 0].item<double>(), 0.05);
            Assert.Equal(mog.Covariances[c][0][1], cov[0, 1].item<double>(), 0.05);
            Assert.Equal(mog.Covariances[c][1][1], cov[1, 1].item<double>(), 0.05);
        }
    }

    [Fact]
    public void ConvolvedMixtureIsTheLawOfNoisedSamples()
    {
        using var scope = NewDisposeScope();
        var mog = ToyDistributions.Mog2();
        const double sigma = 3;
        var noised = mog.Convolve(sigma);
        using var g = new Generator(9, CPU);
        var x = mog.Sample(200_000, g).to_type(ScalarType.Float64) + sigma * randn([200_000, 2], dtype: ScalarType.Float64, generator: g);
        var y = noised.Sample(200_000, g).to_type(ScalarType.Float64);
        Assert.True(allclose(x.mean([0]), y.mean([0]), rtol: 0, atol: 0.05));
        Assert.True(allclose(x.std([0]), y.std([0]), rtol: 0, atol: 0.05));
        // mean log-density of noised samples is the same under both sample sets (same law)
        Assert.Equal(noised.LogProb(x).mean().item<double>(), noised.LogProb(y).mean().item<double>(), 0.02);
    }
}
