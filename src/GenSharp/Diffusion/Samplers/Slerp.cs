using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Diffusion.Samplers;

/// <summary>
/// Spherical linear interpolation between two start noises (Shoemake 1985; used by Song et al. 2021 to
/// interpolate DDIM latents): with theta = arccos(&lt;z0, z1&gt; / (|z0| |z1|)) over all elements,
///   slerp(z0, z1; a) = sin((1 - a) theta) / sin(theta) z0 + sin(a theta) / sin(theta) z1.
/// Unlike the straight line, it keeps the norm of two independent high-dimensional Gaussian vectors
/// (about sqrt(d)) along the path, so every intermediate noise is a typical N(0, I) draw. Falls back to
/// the straight line when z0 and z1 are (anti)parallel within 1e-7 (theta near 0 or pi would divide by
/// sin(theta) near 0).
/// </summary>
public static class Slerp
{
    /// <summary>One interpolated noise, same shape as <paramref name="z0"/>; <paramref name="a"/> = 0 gives z0, 1 gives z1.</summary>
    public static Tensor Between(Tensor z0, Tensor z1, double a)
    {
        if (!z0.shape.SequenceEqual(z1.shape))
            throw new ArgumentException($"slerp: shapes [{string.Join(", ", z0.shape)}] and [{string.Join(", ", z1.shape)}] differ");
        using var scope = NewDisposeScope();
        var a64 = z0.to_type(ScalarType.Float64);
        var b64 = z1.to_type(ScalarType.Float64);
        double cos = ((a64 * b64).sum() / (a64.norm() * b64.norm())).item<double>();
        double theta = Math.Acos(Math.Clamp(cos, -1, 1));
        double sin = Math.Sin(theta);
        var result = sin < 1e-7
            ? (1 - a) * a64 + a * b64
            : Math.Sin((1 - a) * theta) / sin * a64 + Math.Sin(a * theta) / sin * b64;
        return result.to_type(z0.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <paramref name="count"/> noises evenly spaced from z0 to z1 (both ends included), stacked on a new
    /// leading dimension: one noise of shape [C, H, W] gives [count, C, H, W], ready for a sampler's
    /// <see cref="IDiffusionSampler.SampleFrom"/>.
    /// </summary>
    public static Tensor Path(Tensor z0, Tensor z1, int count)
    {
        if (count < 2) throw new ConfigException($"interpolation: {count} points; need at least 2 (the two ends)");
        using var scope = NewDisposeScope();
        var points = Enumerable.Range(0, count).Select(i => Between(z0, z1, i / (double)(count - 1))).ToArray();
        return stack(points).MoveToOuterDisposeScope();
    }
}
