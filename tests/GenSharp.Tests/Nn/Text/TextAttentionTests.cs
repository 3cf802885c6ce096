using GenSharp.Nn.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Nn.Text;

/// <summary>Masked attention over text tokens, the text encoder and the cross-attention block (docs/captcha.md#text-conditioning).</summary>
[Collection(GlobalRngCollection.Name)]
public sealed class TextAttentionTests
{
    private static readonly TextTokens Tokens = new("23456789ABCDEFGHJKLMNPQRSTUVWXYZ", 4);

    [Fact]
    public void TokensAreAStartTokenThenAlphabetIdsThenPadding()
    {
        using var scope = NewDisposeScope();
        var (ids, keep) = Tokens.Encode(["7K", "", "2ZZ3"]);
        Assert.Equal(new long[] { 1, 7, 19, 0, 0, 1, 0, 0, 0, 0, 1, 2, 33, 33, 3 }, ids.flatten().data<long>().ToArray());
        Assert.Equal(new[] { true, true, true, false, false, true, false, false, false, false, true, true, true, true, true },
            keep.flatten().data<bool>().ToArray());
        Assert.Throws<ConfigException>(() => Tokens.Encode(["70"]));
        Assert.Throws<ConfigException>(() => Tokens.Encode(["23456"]));
    }

    [Fact]
    public void WeightsSumToOneOverTokensAndAPaddedTokenGetsExactlyZero()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var q = randn(2, 3, 5, 8) * 3;
        var k = randn(2, 3, 4, 8) * 3;
        var keep = tensor(new[] { true, true, false, true, true, false, false, false }).reshape(2, 4);
        var a = TokenAttention.Weights(q, k, keep);
        Assert.Equal(new long[] { 2, 3, 5, 4 }, a.shape);
        Assert.True((a.sum(-1) - 1).abs().max().item<float>() < 1e-6f);
        Assert.Equal(0f, a[0, .., .., 2].abs().max().item<float>());
        Assert.Equal(0f, a[1, .., .., 1..].abs().max().item<float>());
        // A single real token takes all the weight, so the output is its value.
        var v = randn(2, 3, 4, 8);
        var output = TokenAttention.Apply(q, k, v, keep);
        Assert.True((output[1] - v[1, .., 0..1, ..].expand(3, 5, 8)).abs().max().item<float>() < 1e-6f);
        // Against the closed form on the real tokens alone: softmax over the three kept scores of sequence 0.
        var scores = q[0].matmul(k[0].index_select(1, tensor(new long[] { 0, 1, 3 })).transpose(-2, -1)) / Math.Sqrt(8);
        var expected = scores.softmax(-1);
        Assert.True((a[0].index_select(2, tensor(new long[] { 0, 1, 3 })) - expected).abs().max().item<float>() < 1e-6f);
    }

    [Fact]
    public void TheEncodingOfAStringDoesNotDependOnItsPaddingOrItsBatch()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var encoder = new TextEncoder(Tokens, dim: 32, layers: 2, heads: 4);
        encoder.eval();
        using var noGrad = no_grad();
        var (ids, keep) = Tokens.Encode(["7K", "2ZZ3", ""]);
        var together = encoder.call(ids, keep);
        Assert.Equal(new long[] { 3, 5, 32 }, together.shape);
        var (ids1, keep1) = new TextTokens(Tokens.Alphabet, 2).Encode(["7K"]);
        var alone = encoder.call(ids1, keep1);
        Assert.True((together[0, 0..3] - alone[0]).abs().max().item<float>() < 1e-5f);
        Assert.True(together.isfinite().all().item<bool>());
    }

    [Fact]
    public void CrossAttentionMasksPaddingAndAttendsToTheOnlyRealTokenFully()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        using var block = new CrossAttentionBlock(channels: 16, textDim: 8, heads: 2, groups: 4) { KeepWeights = true };
        var x = randn(2, 16, 4, 6);
        var text = randn(2, 3, 8);
        var keep = tensor(new[] { true, true, false, true, false, false }).reshape(2, 3);
        var y = block.call(x, text, keep);
        Assert.Equal(x.shape, y.shape);
        var a = block.LastWeights!;
        Assert.Equal(new long[] { 2, 2, 24, 3 }, a.shape);
        Assert.True((a.sum(-1) - 1).abs().max().item<float>() < 1e-6f);
        Assert.Equal(0f, a[0, .., .., 2].abs().max().item<float>());
        Assert.Equal(1f, a[1, .., .., 0].min().item<float>());
        // Padded tokens' features do not matter: change them and the output stays the same.
        var changed = text.clone();
        changed[0, 2] = randn(8);
        changed[1, 1..] = randn(2, 8);
        Assert.True((block.call(x, changed, keep) - y).abs().max().item<float>() < 1e-6f);
    }
}
