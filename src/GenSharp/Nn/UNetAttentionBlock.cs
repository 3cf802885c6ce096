using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenSharp.Nn;

/// <summary>
/// Single-head self-attention over the H*W positions of a feature map, with a residual connection
/// (SPEC §3.2; <c>AttnBlock</c> of the reference peer):
///   q, k, v = split(qkv(norm(x)))                 each (B, C, N), N = H W
///   A = softmax(q^T k / sqrt(C)) over the last axis  (B, N, N), A[b, i, j] = weight of position j for i
///   out[b, :, i] = sum_j A[b, i, j] v[b, :, j]
///   y = x + proj(out)
/// </summary>
public sealed class UNetAttentionBlock : nn.Module<Tensor, Tensor>
{
    private readonly GroupNorm norm;
    private readonly Conv2d qkv;
    private readonly Conv2d proj;
    private readonly long _channels;

    public UNetAttentionBlock(long channels, long groups) : base(nameof(UNetAttentionBlock))
    {
        norm = InitializedGroupNorm.Create(groups, channels);
        qkv = nn.Conv2d(channels, 3 * channels, 1);
        proj = nn.Conv2d(channels, channels, 1);
        _channels = channels;
        RegisterComponents();
    }

    /// <param name="x">(B, C, H, W)</param>
    /// <returns>(B, C, H, W)</returns>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], h = x.shape[2], w = x.shape[3];
        var parts = qkv.CallExact(norm.call(x)).reshape(b, 3, _channels, h * w).unbind(1); // 3 x (B, C, N)
        var (q, k, v) = (parts[0], parts[1], parts[2]);
        var attention = nn.functional.softmax(q.transpose(1, 2).bmm(k) / Math.Sqrt(_channels), -1); // (B, N, N)
        var output = v.bmm(attention.transpose(1, 2)).reshape(b, _channels, h, w);               // (B, C, H, W)
        return (x + proj.CallExact(output)).MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) { norm.Dispose(); qkv.Dispose(); proj.Dispose(); }
        base.Dispose(disposing);
    }
}
