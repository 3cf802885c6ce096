using static TorchSharp.torch;

namespace GenSharp.Nn.Text;

/// <summary>
/// Scaled dot-product attention over a padded sequence of tokens (docs/captcha.md#text-conditioning):
///   A = softmax(Q K^T / sqrt(d) + M) over the tokens,  M[b, j] = 0 for a real token, -inf for a padded one
///   out = A V
/// so every query's weights sum to 1 over the real tokens and a padded token receives exactly 0. Every sequence must keep at
/// least one real token (<see cref="TextTokens"/> always keeps its start token), else a row would be 0/0.
/// </summary>
public static class TokenAttention
{
    /// <summary>
    /// Attention weights (B, heads, Nq, T) of queries (B, heads, Nq, d) over keys (B, heads, T, d); <paramref name="keep"/> (B, T) bool.
    /// </summary>
    public static Tensor Weights(Tensor q, Tensor k, Tensor keep)
    {
        using var scope = NewDisposeScope();
        var scores = q.matmul(k.transpose(-2, -1)) / Math.Sqrt(q.shape[^1]);                  // (B, h, Nq, T)
        var masked = scores.masked_fill(keep.logical_not().unsqueeze(1).unsqueeze(1), double.NegativeInfinity);
        return masked.softmax(-1).MoveToOuterDisposeScope();
    }

    /// <summary>softmax(Q K^T / sqrt(d) + M) V: (B, heads, Nq, d).</summary>
    public static Tensor Apply(Tensor q, Tensor k, Tensor v, Tensor keep)
    {
        using var scope = NewDisposeScope();
        return Weights(q, k, keep).matmul(v).MoveToOuterDisposeScope();
    }
}
