using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Vdm;

/// <summary>
/// Low-discrepancy times for a batch (Kingma et al. 2021, appendix I.1; docs/vdm.md#loss): one u_0 ~ U[0, 1) per batch and
/// t_i = (u_0 + i / B) mod 1 for i = 0..B-1, so the batch covers [0, 1] evenly while each t_i is still uniform (the estimator stays
/// unbiased and its variance drops).
/// </summary>
public static class LowDiscrepancyTimes
{
    /// <summary>(B) times in [0, 1), float32, from one uniform draw of <paramref name="rng"/>.</summary>
    public static Tensor Draw(long batch, Generator rng, Device device)
    {
        using var scope = NewDisposeScope();
        var u0 = rand([1], generator: rng, device: device);
        return ((u0 + arange(batch, dtype: ScalarType.Float32, device: device) / batch) % 1.0).MoveToOuterDisposeScope();
    }
}
