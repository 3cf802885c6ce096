using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Diffusion.Samplers;

/// <summary>One point of an inversion sweep: K steps, the decoder's eta, x_T and the reconstruction decode(invert(x_0)).</summary>
public sealed record RoundTripPoint(int Steps, double Eta, Tensor XT, Tensor Reconstruction) : IDisposable
{
    public void Dispose()
    {
        XT.Dispose();
        Reconstruction.Dispose();
    }
}

/// <summary>
/// DDIM inversion followed by generation (Song et al. 2021, §5.4; docs/samplers.md#ddim-inversion): x_0 -> x_T by
/// <see cref="DdimInversion"/> on a K-step table, then x_T -> x_0' by <see cref="DdimSampler"/> on the same table. With eta = 0
/// the decoder is the encoder's ODE run forwards and x_0' -> x_0 as K grows (first-order error in 1/K); with eta > 0 the decoder
/// adds fresh noise at every step and x_0' is only a sample that shares x_T, so the error stays large whatever K is: this is where
/// inversion breaks down, with too few steps or with stochastic decoding.
/// </summary>
public static class DdimRoundTrip
{
    /// <summary>
    /// For each K in <paramref name="steps"/>: one inversion, then one decoding per eta in <paramref name="etas"/> (the noise of eta &gt; 0
    /// from a generator seeded with <paramref name="seed"/>, the same for every point). <paramref name="x0"/> is not disposed.
    /// </summary>
    public static List<RoundTripPoint> Sweep(GaussianDiffusion diffusion, Func<Tensor, Tensor, Tensor> epsModel, Tensor x0,
        IReadOnlyList<int> steps, IReadOnlyList<double> etas, long seed, string spacing = "trailing", bool clipX0 = false)
    {
        var points = new List<RoundTripPoint>();
        try
        {
            foreach (int k in steps)
            {
                using var xT = new DdimInversion(diffusion, k, spacing).Invert(epsModel, x0).Samples;
                foreach (double eta in etas)
                {
                    var decoder = new DdimSampler(diffusion, new DdimSamplerConfig(k, eta, spacing, clipX0));
                    using var g = new Generator((ulong)seed, x0.device);
                    var reconstruction = decoder.SampleFrom(epsModel, xT, eta > 0 ? g : null).Samples;
                    points.Add(new RoundTripPoint(k, eta, xT.clone().DetachFromDisposeScope(), reconstruction));
                }
            }
            return points;
        }
        catch
        {
            foreach (var p in points) p.Dispose();
            throw;
        }
    }

    /// <summary>Per-example root-mean-square difference (B) of two (B, ...) tensors, in their own units.</summary>
    public static double[] Rmse(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        var d = (a.to_type(ScalarType.Float64) - b.to_type(ScalarType.Float64)).flatten(1);
        return d.pow(2).mean([1]).sqrt().cpu().data<double>().ToArray();
    }
}
