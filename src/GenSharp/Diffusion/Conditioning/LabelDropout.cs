using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Diffusion.Conditioning;

/// <summary>
/// Classifier-free guidance training (Ho &amp; Salimans 2022, Algorithm 1; docs/ddpm.md#classifier-free-guidance): each label is
/// replaced by the null label with probability p_uncond, so one network learns eps(x, t, y) and eps(x, t, null).
/// </summary>
public static class LabelDropout
{
    /// <summary>
    /// <paramref name="labels"/> (B) int64 with each entry replaced by <paramref name="nullLabel"/> where u &lt; p, u ~ U[0, 1) drawn from
    /// <paramref name="rng"/> (one draw per label, also when p = 0, so the random stream does not depend on p). Text labels (B, L) lose
    /// the whole string at once (one draw per row): the empty string, all padding.
    /// </summary>
    public static Tensor Apply(Tensor labels, double p, long nullLabel, Generator rng)
    {
        using var scope = NewDisposeScope();
        var u = rand([labels.shape[0]], generator: rng, device: labels.device);
        var drop = (u < p).reshape([labels.shape[0], .. Enumerable.Repeat(1L, (int)labels.dim() - 1)]);  // (B, 1, ...)
        return where(drop, full_like(labels, nullLabel), labels).MoveToOuterDisposeScope();
    }
}
