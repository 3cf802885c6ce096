using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Nn;

/// <summary>
/// The transformer/DDPM sinusoidal embedding of a timestep: for half = dim/2 frequencies
/// f_i = exp(-ln(10000) i / half), emb(t) = [sin(t f_0..f_{half-1}), cos(t f_0..f_{half-1})].
/// Matches <c>timestep_embedding</c> of the reference U-Net peer. No parameters.
/// </summary>
public sealed class SinusoidalTimeEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly int _dim;

    public SinusoidalTimeEmbedding(int dim) : base(nameof(SinusoidalTimeEmbedding))
    {
        if (dim < 2 || dim % 2 != 0) throw new ConfigException($"time embedding dimension {dim}: must be an even number >= 2");
        _dim = dim;
        RegisterComponents();
    }

    /// <summary>(B) timesteps (int or float) to (B, dim) float32.</summary>
    public override Tensor forward(Tensor t) => Embed(t, _dim);

    /// <summary>The embedding as a plain function.</summary>
    public static Tensor Embed(Tensor t, int dim)
    {
        using var scope = NewDisposeScope();
        int half = dim / 2;
        var freqs = exp(-Math.Log(10000.0) * arange(half, dtype: ScalarType.Float32, device: t.device) / half); // (half)
        var args = t.to_type(ScalarType.Float32).unsqueeze(1) * freqs.unsqueeze(0);                             // (B, half)
        return cat([sin(args), cos(args)], 1).MoveToOuterDisposeScope();                                         // (B, dim)
    }
}
