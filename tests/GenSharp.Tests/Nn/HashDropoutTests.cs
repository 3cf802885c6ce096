using GenSharp.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Nn;

public sealed class HashDropoutTests
{
    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void Mask_keeps_1_minus_p_with_scale_1_over_1_minus_p_and_independent_neighbours(double p)
    {
        using var scope = NewDisposeScope();
        const long n = 2_000_003; // odd: exercises the scalar tail after the vector loop
        var mask = HashDropout.Mask([n], ScalarType.Float32, p, seed: 12345);
        float scale = (float)(1 / (1 - p));
        var kept = mask.eq(scale);
        Assert.Equal(n, (kept | mask.eq(0f)).sum().item<long>());             // only 0 and 1/(1-p)
        double keepRate = kept.to_type(ScalarType.Float64).mean().item<double>();
        double se = Math.Sqrt(p * (1 - p) / n);
        Assert.True(Math.Abs(keepRate - (1 - p)) < 5 * se, $"keep rate {keepRate} vs {1 - p} (5 SE = {5 * se:g3})");
        // neighbours (same 64-bit hash: halves; next hash) are uncorrelated
        var k = kept.to_type(ScalarType.Float64);
        foreach (long lag in new long[] { 1, 2, 16 })
        {
            var a = k[TensorIndex.Slice(0, n - lag)];
            var b = k[TensorIndex.Slice(lag, n)];
            double corr = ((a - a.mean()) * (b - b.mean())).mean().item<double>() / (a.std().item<double>() * b.std().item<double>());
            Assert.True(Math.Abs(corr) < 5 / Math.Sqrt(n), $"lag-{lag} correlation {corr:g3}");
        }
    }

    [Fact]
    public void Mask_is_a_function_of_seed_and_position_only()
    {
        using var scope = NewDisposeScope();
        var big = HashDropout.Mask([3, 100_001], ScalarType.Float32, 0.3, seed: 7).flatten();
        var small = HashDropout.Mask([1001], ScalarType.Float32, 0.3, seed: 7);
        Assert.True(big[TensorIndex.Slice(0, 1001)].eq(small).all().item<bool>(), "a prefix of a larger mask (other chunking, " +
            "vector vs scalar path) differs");
        var other = HashDropout.Mask([1001], ScalarType.Float32, 0.3, seed: 8);
        Assert.False(other.eq(small).all().item<bool>());
        var bf16 = HashDropout.Mask([1001], ScalarType.BFloat16, 0.3, seed: 7);
        Assert.True(bf16.to_type(ScalarType.Float32).eq(0f).eq(small.eq(0f)).all().item<bool>(), "bfloat16 mask drops other positions");
        Assert.Equal((double)(float)(1 / 0.7), bf16.max().to_type(ScalarType.Float32).item<float>(), 2); // bf16 has ~3 significant digits
    }

    [Fact]
    public void Module_is_unbiased_reproducible_fresh_per_call_identity_in_eval_and_its_gradient_is_the_mask()
    {
        using var scope = NewDisposeScope();
        var drop = new HashDropout(0.2);
        drop.train();
        var x = (randn([64, 32, 28, 28]) + 3).requires_grad_();
        manual_seed(11);
        var y1 = drop.call(x);
        var y2 = drop.call(x);
        manual_seed(11);
        var y1Again = drop.call(x);
        Assert.True(y1.eq(y1Again).all().item<bool>(), "same torch seed, different mask");
        Assert.False(y1.eq(y2).all().item<bool>(), "two calls drew the same mask");
        double meanX = x.mean().item<float>(), meanY = y1.mean().item<float>();
        Assert.True(Math.Abs(meanY - meanX) < 0.01 * meanX, $"E[y] {meanY} vs E[x] {meanX}");

        (y1 * 2).sum().backward();
        var expected = (y1.detach() / x.detach()) * 2; // = 2 m
        Assert.True(allclose(x.grad!, expected, rtol: 1e-5, atol: 1e-5), "dL/dx != m dL/dy");

        drop.eval();
        Assert.True(drop.call(x).eq(x).all().item<bool>(), "eval mode must be the identity");
    }
}
