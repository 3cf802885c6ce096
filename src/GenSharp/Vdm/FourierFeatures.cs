using static TorchSharp.torch;

namespace GenSharp.Vdm;

/// <summary>
/// Fourier features of the input (Kingma et al. 2021, the appendix on Fourier features; docs/vdm.md#fourier-features): for each
/// exponent k in <see cref="Exponents"/> = {7, 8} the channels sin(2^k pi z) and cos(2^k pi z), concatenated to z_t before the U-Net.
/// On the 256-level grid (x = 2m/255 - 1, bins 2/255 wide) 2^k pi z turns by 2^k / 255 of a period per bin (about a half for k = 7,
/// about one for k = 8), so these channels say where z lies within a pixel bin: the fine detail that the bound's low-noise end
/// (gamma near gamma_0) needs and that a network with smooth inputs finds hard.
/// </summary>
public static class FourierFeatures
{
    /// <summary>The exponents k of the frequencies 2^k pi, the paper's.</summary>
    public static readonly int[] Exponents = [7, 8];

    /// <summary>Feature channels for <paramref name="dataChannels"/> data channels: a sine and a cosine per exponent and channel.</summary>
    public static int Channels(int dataChannels) => 2 * Exponents.Length * dataChannels;

    /// <param name="z">(B, C, H, W) latents z_t</param>
    /// <returns>(B, 2KC, H, W): [sin(2^k0 pi z), cos(2^k0 pi z), sin(2^k1 pi z), cos(2^k1 pi z), ...], each block C channels;
    /// computed in float32 (the arguments reach 2^8 pi) and returned in z's type</returns>
    public static Tensor Of(Tensor z)
    {
        using var scope = NewDisposeScope();
        var z32 = z.to_type(ScalarType.Float32);
        var blocks = new List<Tensor>();
        foreach (int k in Exponents)
        {
            var angle = z32 * (Math.Pow(2, k) * Math.PI);
            blocks.Add(angle.sin());
            blocks.Add(angle.cos());
        }
        return cat(blocks, 1).to_type(z.dtype).MoveToOuterDisposeScope();
    }
}
