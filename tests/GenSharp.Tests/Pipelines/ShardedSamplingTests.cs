using GenSharp.Diffusion.Samplers;
using GenSharp.Pipelines;
using static TorchSharp.torch;

namespace GenSharp.Tests.Pipelines;

/// <summary>
/// Shards of <see cref="BatchedSampling"/> (docs/scale-out.md#noise): the shards' samples concatenated are the whole draw bit for bit,
/// for a sampler that draws start noise and per-step noise as the diffusion samplers do; block 0 is what one generator seeded with the
/// seed gives (so draws of at most one block are unchanged).
/// </summary>
public sealed class ShardedSamplingTests
{
    /// <summary>x_0 ~ N(0, I), then three steps x &lt;- 0.9 x + 0.1 z with fresh z, like an ancestral sampler.</summary>
    private sealed class NoisySampler : IImageSampler
    {
        public string Label => "noisy";
        public int FunctionEvaluations => 3;
        public object Settings => "noisy";

        public SamplerResult Sample(int n, Generator generator, SamplingObserver observer)
        {
            var x = randn([n, 1, 4, 4], generator: generator);
            for (int k = 0; k < 3; k++)
            {
                var next = 0.9 * x + 0.1 * randn([n, 1, 4, 4], generator: generator);
                x.Dispose();
                x = next;
            }
            return new SamplerResult(x, 3, 0, new Dictionary<int, Tensor>());
        }

        public void Dispose() { }
    }

    [Theory]
    [InlineData(1000, 250, 3)]
    [InlineData(1001, 250, 4)]
    [InlineData(37, 5, 8)]
    [InlineData(37, 5, 1)]
    public void ShardsConcatenatedAreTheWholeDrawBitForBit(int n, int batch, int shards)
    {
        using var scope = NewDisposeScope();
        using var sampler = new NoisySampler();
        var whole = BatchedSampling.Draw(sampler, n, 11, CPU, quiet: true, batch: batch).Samples;
        var parts = Enumerable.Range(0, shards)
            .Select(k => BatchedSampling.Draw(sampler, n, 11, CPU, quiet: true, batch: batch, shard: new SampleShard(k, shards)).Samples).ToList();
        var joined = cat(parts, 0);
        Assert.Equal(whole.shape, joined.shape);
        Assert.True(whole.eq(joined).all().item<bool>(), "sharded samples differ from the unsharded ones");
        int at = 0;
        for (int k = 0; k < shards; k++)
        {
            var (first, end) = new SampleShard(k, shards).Samples(n, batch);
            Assert.Equal(at, first);
            Assert.Equal(end - first, parts[k].shape[0]);
            at = end;
        }
        Assert.Equal(n, at);
    }

    /// <summary>A conditional sampler's label per sample, drawn from the block's generator: label i is i's class, 0..4.</summary>
    private sealed class LabelledSampler : IImageSampler
    {
        public string Label => "labelled";
        public int FunctionEvaluations => 1;
        public object Settings => "labelled";

        public SamplerResult Sample(int n, Generator generator, SamplingObserver observer)
        {
            var labels = randint(0, 5, [n], generator: generator);
            var x = labels.to_type(ScalarType.Float32).reshape(n, 1, 1, 1).expand(n, 1, 2, 2).contiguous();
            return new SamplerResult(x, 1, 0, new Dictionary<int, Tensor>(), labels);
        }

        public void Dispose() { }
    }

    [Fact]
    public void TheLabelsOfAConditionalDrawFollowTheirSamplesAcrossBlocksAndShards()
    {
        using var scope = NewDisposeScope();
        using var sampler = new LabelledSampler();
        var whole = BatchedSampling.Draw(sampler, 23, 3, CPU, quiet: true, batch: 5);
        Assert.NotNull(whole.Labels);
        Assert.Equal([23L], whole.Labels!.shape);
        Assert.True(whole.Samples[.., 0, 0, 0].to_type(ScalarType.Int64).eq(whole.Labels).all().item<bool>(), "a label left its sample");
        Assert.True(whole.Labels.unique().Item1.numel() > 1, "every block drew the same labels");
        var shard = BatchedSampling.Draw(sampler, 23, 3, CPU, quiet: true, batch: 5, shard: new SampleShard(1, 2));
        var (first, end) = new SampleShard(1, 2).Samples(23, 5);
        Assert.True(whole.Labels.narrow(0, first, end - first).eq(shard.Labels!).all().item<bool>());
        Assert.Null(BatchedSampling.Draw(new NoisySampler(), 7, 3, CPU, quiet: true, batch: 5).Labels);   // unconditional: none
    }

    [Fact]
    public void BlockZeroIsTheSeedsOwnGeneratorAndOtherBlocksDiffer()
    {
        using var scope = NewDisposeScope();
        using var sampler = new NoisySampler();
        var drawn = BatchedSampling.Draw(sampler, 20, 5, CPU, quiet: true, batch: 10).Samples;
        using var g = new Generator(5, CPU);
        var direct = sampler.Sample(10, g, new SamplingObserver()).Samples;
        Assert.True(drawn.narrow(0, 0, 10).eq(direct).all().item<bool>());
        Assert.False(drawn.narrow(0, 10, 10).eq(direct).all().item<bool>(), "block 1 must not repeat block 0's noise");
        Assert.NotEqual(BatchedSampling.BlockSeed(5, 1), BatchedSampling.BlockSeed(6, 1));
    }

    [Theory]
    [InlineData("3/3")]
    [InlineData("-1/3")]
    [InlineData("1/0")]
    [InlineData("1")]
    [InlineData("a/b")]
    public void ABadShardIsOneLine(string text)
    {
        var e = Assert.Throws<ConfigException>(() => SampleShard.Parse(text));
        Assert.StartsWith($"--shard {text}:", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void MoreShardsThanBlocksIsRefused()
    {
        using var sampler = new NoisySampler();
        var e = Assert.Throws<ConfigException>(() => BatchedSampling.Draw(sampler, 20, 0, CPU, true, batch: 10, shard: new SampleShard(0, 3)));
        Assert.Contains("2 block(s)", e.Message);
    }
}
