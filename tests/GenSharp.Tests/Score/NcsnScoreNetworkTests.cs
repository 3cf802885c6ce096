using GenSharp.Nn;
using GenSharp.Score.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Score;

/// <summary>The image score network s(x, sigma) = u(x, 250 ln sigma) / sigma (NCSNv2 technique 3) and DSM on it.</summary>
[Collection("training")]
public sealed class NcsnScoreNetworkTests
{
    private static readonly UNetConfig Tiny = new() { Channels = 8, Multipliers = [1, 2], AttentionResolutions = [], Dropout = 0.0 };

    [Fact]
    public void OutputIsTheUNetAtTheLogSigmaEmbeddingDividedBySigma()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        using var net = new UNetScoreNetwork(Tiny with { Dropout = 0.1 });
        net.eval();   // dropout off, so both calls below see the same function
        using var noGrad = no_grad();
        using var g = new Generator(2, CPU);
        // the same image at four noise levels: what changes between rows is the embedding input and the 1/sigma
        var x = randn([1, 1, 28, 28], generator: g).expand(4, 1, 28, 28).contiguous();
        var sigma = tensor(new[] { 0.01f, 0.5f, 3f, 20f });
        var s = net.call(x, sigma);
        var u = net.UNet.call(x, 250 * sigma.log());
        Assert.Equal(new long[] { 4, 1, 28, 28 }, s.shape);
        Assert.True(allclose(s * sigma.reshape(-1, 1, 1, 1), u, rtol: 1e-5, atol: 1e-6), "sigma s(x, sigma) must equal u(x, 250 ln sigma)");
        Assert.True(allclose(UNetScoreNetwork.EmbeddingInput(sigma), 250 * sigma.log()));
        // the noise level reaches the network through the embedding: sigma s differs between levels for the same image
        var scaled = (s * sigma.reshape(-1, 1, 1, 1)).flatten(1);
        for (int i = 1; i < 4; i++)
            Assert.True((scaled[i] - scaled[0]).abs().max().item<float>() > 1e-4, 
                $"sigma s at level {i} equals level 0: sigma is not conditioned on");
        // and at a fixed embedding input the score scales exactly as 1/sigma: u / sigma for two sigmas with the same u
        var fixedU = net.UNet.call(x.narrow(0, 0, 1), tensor(new[] { 250 * MathF.Log(0.5f) }));
        Assert.True(allclose(s[1] * 0.5f, fixedU[0], rtol: 1e-5, atol: 1e-6));
    }

    [Theory]
    [InlineData(1, 28, 8, "1,2", "", 1)]
    [InlineData(1, 28, 16, "1,2,2", "7", 2)]
    [InlineData(3, 32, 8, "1,2,2,2", "8", 1)]
    public void ShapesAndParametersMatchTheUNet(int channels, int resolution, int ch, string mults, string attn, int resBlocks)
    {
        using var scope = NewDisposeScope();
        var config = new UNetConfig
        {
            InChannels = channels, Height = resolution, Width = resolution, Channels = ch, ResBlocksPerLevel = resBlocks,
            Multipliers = mults.Split(',').Select(int.Parse).ToArray(),
            AttentionResolutions = attn.Length == 0 ? [] : attn.Split(',').Select(int.Parse).ToArray(),
        };
        using var net = new UNetScoreNetwork(config);
        using var reference = new UNet(config);
        Assert.Equal(reference.parameters().Sum(p => p.numel()), net.parameters().Sum(p => p.numel()));
        Assert.All(net.named_parameters(), p => Assert.StartsWith("unet.", p.name));
        net.eval();
        using var noGrad = no_grad();
        var x = randn(3, channels, resolution, resolution);
        var s = net.call(x, tensor(new[] { 0.01f, 1f, 30f }));
        Assert.Equal(new long[] { 3, channels, resolution, resolution }, s.shape);
        Assert.True(s.isfinite().all().item<bool>());
        Assert.Throws<ConfigException>(() => net.call(x, tensor(new[] { 1f, 2f })));
    }

    [Trait("Category", "Slow")]
    [Fact]
    public void DenoisingScoreMatchingOnImagesDecreasesOnAFixedBatch()
    {
        using var scope = NewDisposeScope();
        int threads = get_num_threads();
        set_num_threads(1);
        try
        {
            manual_seed(3);
            using var net = new UNetScoreNetwork(Tiny);
            using var g = new Generator(4, CPU);
            // eight fixed "images" in [0, 1]: smooth blobs, with fixed noise and levels (sigma from 0.01 to 20)
            var grid = linspace(-1, 1, 28);
            var centres = rand([8, 2], generator: g) - 0.5;
            var x = exp(-((grid.reshape(1, 1, 28) - centres[.., 0].reshape(8, 1, 1)).pow(2)
                          + (grid.reshape(1, 28, 1) - centres[.., 1].reshape(8, 1, 1)).pow(2)) / 0.1).unsqueeze(1);
            var sigma = exp(linspace(Math.Log(20), Math.Log(0.01), 8)).to_type(ScalarType.Float32);
            var z = randn(x.shape, generator: g);
            using var optimizer = optim.Adam(net.parameters(), 2e-3);
            double first = 0, last = 0;
            for (int step = 0; step < 60; step++)
            {
                using var stepScope = NewDisposeScope();
                optimizer.zero_grad();
                var loss = DenoisingScoreMatching.Loss((xt, s) => net.call(xt, s), x, sigma, z);
                if (step == 0) first = loss.item<float>();
                last = loss.item<float>();
                loss.backward();
                optimizer.step();
            }
            // an untrained net gives ~ 1/2 ||z||^2 = 392 per image; memorising the fixed batch must remove most of it
            Assert.InRange(first, 250, 600);
            Assert.True(last < 0.5 * first, $"DSM loss went from {first:F1} to {last:F1}");
        }
        finally { set_num_threads(threads); }
    }
}
