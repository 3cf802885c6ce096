using GenSharp.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Nn;

/// <summary>The U-Net's self-attention block against its formula written out by hand, and its symmetry.</summary>
public sealed class UNetAttentionTests
{
    [Fact]
    public void AttentionEqualsTheHandWrittenSoftmaxFormula()
    {
        // y = x + proj(V softmax(Q^T K / sqrt(C))^T) with Q, K, V = qkv(GroupNorm(x)), written out in double precision
        const int C = 4, G = 2, H = 2, W = 3, N = H * W;
        manual_seed(3);
        using var block = new UNetAttentionBlock(C, G);
        using (no_grad())
            foreach (var p in block.parameters()) p.copy_(randn(p.shape) * 0.7);
        var P = block.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter.data<float>().ToArray());
        using var scope = NewDisposeScope();
        var x = randn(1, C, H, W);
        var xs = x.data<float>().ToArray(); // [c * N + n]
        var y = block.call(x).data<float>().ToArray();

        var xn = new double[C, N];
        for (int g = 0; g < G; g++)
        {
            var members = Enumerable.Range(g * C / G, C / G).SelectMany(c => Enumerable.Range(0, N).Select(n => (double)xs[c * N + n])).ToArray();
            double mean = members.Average(), variance = members.Select(v => (v - mean) * (v - mean)).Average();
            for (int c = g * C / G; c < (g + 1) * C / G; c++)
                for (int n = 0; n < N; n++)
                    xn[c, n] = (xs[c * N + n] - mean) / Math.Sqrt(variance + 1e-5) * P["norm.weight"][c] + P["norm.bias"][c];
        }
        double Qkv(int row, int n) => P["qkv.bias"][row] + Enumerable.Range(0, C).Sum(c => P["qkv.weight"][row * C + c] * xn[c, n]);
        var expected = new double[C, N];
        var attended = new double[C, N];
        for (int i = 0; i < N; i++)
        {
            var scores = Enumerable.Range(0, N).Select(j => Enumerable.Range(0, C).Sum(c => Qkv(c, i) * Qkv(C + c, j)) / Math.Sqrt(C)).ToArray();
            double max = scores.Max();
            var weights = scores.Select(s => Math.Exp(s - max)).ToArray();
            double total = weights.Sum();
            for (int c = 0; c < C; c++)
                attended[c, i] = Enumerable.Range(0, N).Sum(j => weights[j] / total * Qkv(2 * C + c, j));
        }
        for (int c = 0; c < C; c++)
            for (int i = 0; i < N; i++)
                expected[c, i] = xs[c * N + i] + P["proj.bias"][c] + Enumerable.Range(0, C).Sum(k => P["proj.weight"][c * C + k] * attended[k, i]);

        for (int c = 0; c < C; c++)
            for (int i = 0; i < N; i++)
                Assert.Equal(expected[c, i], y[c * N + i], 4);
    }

    [Fact]
    public void AttentionIsEquivariantToPermutingPositions()
    {
        manual_seed(4);
        using var block = new UNetAttentionBlock(8, 4);
        using var scope = NewDisposeScope();
        var x = randn(2, 8, 3, 5);
        var perm = randperm(15);
        var permuted = x.flatten(2).index_select(2, perm).reshape(2, 8, 3, 5);
        var expected = block.call(x).flatten(2).index_select(2, perm);
        var actual = block.call(permuted).flatten(2);
        Assert.True(actual.allclose(expected, rtol: 1e-5, atol: 1e-5));
    }
}
