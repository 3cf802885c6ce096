using static TorchSharp.torch;

namespace GenSharp.Diffusion.Samplers;

/// <summary>
/// A path of start noises between two noises z0 and z1, for decoding with deterministic DDIM (docs/samplers.md#interpolation):
/// <c>slerp</c> (<see cref="Slerp"/>: keeps the norm of Gaussian noise, every point is a typical draw) or <c>lerp</c>, the straight line
/// (1 - a) z0 + a z1, whose midpoint has norm ~ |z| / sqrt(2) for independent z0, z1: an atypical, low-energy noise, which DDIM decodes
/// into a washed-out image (Song et al. 2021, §5.4, and the slerp of Shoemake 1985 are why the course uses slerp).
/// </summary>
public static class NoisePath
{
    public static readonly string[] Methods = ["slerp", "lerp"];

    /// <summary>The check of a <c>--method</c> value.</summary>
    public static string Validate(string method) => Methods.Contains(method)
        ? method
        : throw new ConfigException($"--method {method}: unknown; use slerp (spherical, keeps the noise's norm) or lerp (straight line)");

    /// <summary><paramref name="count"/> noises from z0 to z1 (both ends included) stacked on a new leading dimension.</summary>
    public static Tensor Between(Tensor z0, Tensor z1, int count, string method)
    {
        if (Validate(method) == "slerp") return Slerp.Path(z0, z1, count);
        if (count < 2) throw new ConfigException($"interpolation: {count} points; need at least 2 (the two ends)");
        using var scope = NewDisposeScope();
        var points = Enumerable.Range(0, count).Select(i => i / (double)(count - 1)).Select(a => (1 - a) * z0 + a * z1).ToArray();
        return stack(points).MoveToOuterDisposeScope();
    }
}
