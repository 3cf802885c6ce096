using GenSharp.Data.Toy;
using GenSharp.Nn;
using GenSharp.Score.Losses;
using GenSharp.Score.Toy;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Score;

public sealed class ScoreMlpTests
{
    [Fact]
    public void UntrainedNetworkHasZeroScoreAndTheRightShape()
    {
        using var scope = NewDisposeScope();
        using var net = new ScoreMlp(new ScoreMlpConfig(Hidden: 32, Layers: 4));
        net.eval();
        var x = randn([10, 2]);
        var s = net.call(x, full([10], 3.0f));
        Assert.Equal([10L, 2L], s.shape);
        Assert.Equal(0, s.abs().max().item<float>());
        Assert.Throws<ConfigException>(() => new ScoreMlpConfig(Layers: 1).Validate());
    }

    [Fact]
    public void DenoisingScoreMatchingTeachesItTheNoisedGaussianScore()
    {
        // data N(mu, diag(s^2)) at sigma = 1: the target is -(x - mu) / (s^2 + 1), checked on fresh points of p_sigma
        using var scope = NewDisposeScope();
        var p = new GaussianMixture2D("g", [1.0], [[2, -1]], [[[0.5, 0], [0, 2]]]);
        using var g = new Generator(3, CPU);
        var train = p.Sample(4000, g);
        using var trained = ScoreToyTrainer.Train(new ScoreMlpConfig(Hidden: 48, Layers: 4, DataStd: 1.3), new DenoisingScoreMatching(),
            train, [1.0], steps: 400, batch: 128, lr: 3e-3, emaDecay: 0.99, seed: 1, CPU, "test", quiet: true);
        var noised = p.Convolve(1.0);
        var x = noised.Sample(2000, g);
        var learned = trained.Score(x, full([2000], 1.0f));
        var exact = noised.Score(x);
        double relative = (learned - exact).pow(2).sum(1).mean().item<float>() / exact.pow(2).sum(1).mean().item<float>();
        Assert.True(relative < 0.08, $"relative field error {relative}");
    }
}
