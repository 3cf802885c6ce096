using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenSharp.Nn.Text;

/// <summary>
/// Cross-attention from a U-Net feature map to text tokens, with a residual connection (docs/captcha.md#text-conditioning):
///   Q = W_q GroupNorm(x)   per position,  (B, heads, N, d/h), N = H W
///   K = W_k c, V = W_v c   per token,     (B, heads, T, d/h), c = the text encoder's (B, T, D) output
///   A = softmax(Q K^T / sqrt(d/h) + M)    (B, heads, N, T), padded tokens masked (<see cref="TokenAttention"/>)
///   y = x + W_o (A V)
/// <see cref="LastWeights"/> keeps A of the last call when <see cref="KeepWeights"/> is set (the cross-attention maps).
/// </summary>
public sealed class CrossAttentionBlock : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly GroupNorm norm;
    private readonly Linear q, k, v, o;
    private readonly int _heads;

    public CrossAttentionBlock(int channels, int textDim, int heads = 4, int groups = 8) : base(nameof(CrossAttentionBlock))
    {
        if (channels % heads != 0) throw new ConfigException($"cross-attention width {channels}: must be divisible by the {heads} heads");
        norm = InitializedGroupNorm.Create(groups, channels);
        q = nn.Linear(channels, channels);
        k = nn.Linear(textDim, channels);
        v = nn.Linear(textDim, channels);
        o = nn.Linear(channels, channels);
        _heads = heads;
        RegisterComponents();
    }

    /// <summary>Whether <see cref="LastWeights"/> is kept (off by default: it costs memory).</summary>
    public bool KeepWeights { get; set; }

    /// <summary>A of the last call, (B, heads, H W, T), when <see cref="KeepWeights"/> is set; owned by this block.</summary>
    public Tensor? LastWeights { get; private set; }

    /// <param name="x">(B, C, H, W) image features</param>
    /// <param name="text">(B, T, D) token features</param>
    /// <param name="keep">(B, T) bool, true for real tokens</param>
    public override Tensor forward(Tensor x, Tensor text, Tensor keep)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], c = x.shape[1], n = x.shape[2] * x.shape[3], t = text.shape[1], dh = c / _heads;
        var query = q.call(norm.call(x).flatten(2).transpose(1, 2)).reshape(b, n, _heads, dh).transpose(1, 2);  // (B, h, N, d/h)
        var key = k.call(text).reshape(b, t, _heads, dh).transpose(1, 2);                                    // (B, h, T, d/h)
        var value = v.call(text).reshape(b, t, _heads, dh).transpose(1, 2);
        var weights = TokenAttention.Weights(query, key, keep);                                              // (B, h, N, T)
        if (KeepWeights)
        {
            LastWeights?.Dispose();
            LastWeights = weights.detach().clone().DetachFromDisposeScope(); // owned by this block, beyond any caller's scope
        }
        var attended = weights.matmul(value).transpose(1, 2).reshape(b, n, c);                              // (B, N, C)
        var output = o.call(attended).transpose(1, 2).reshape(x.shape);
        return (x + output).MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) { norm.Dispose(); q.Dispose(); k.Dispose(); v.Dispose(); o.Dispose(); LastWeights?.Dispose(); }
        base.Dispose(disposing);
    }
}
