using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Evaluation;

/// <summary>
/// Improved precision and recall (Kynkäänniemi et al. 2019): each set's manifold is the union of balls
/// around its points with radius the distance to the k-th nearest neighbour. Precision = fraction of
/// generated points inside the real manifold (quality); recall = fraction of real points inside the
/// generated manifold (coverage).
/// </summary>
public static class PrecisionRecall
{
    public static (double Precision, double Recall) Compute(Tensor real, Tensor generated, int k = 3, int chunk = 2000)
    {
        using var scope = NewDisposeScope();
        var r = real.to_type(ScalarType.Float32);
        var f = generated.to_type(ScalarType.Float32);
        var rr = KthNeighbourRadii(r, k, chunk);
        var rf = KthNeighbourRadii(f, k, chunk);
        return (Coverage(f, r, rr, chunk), Coverage(r, f, rf, chunk));
    }

    /// <summary>Distance from each point to its k-th nearest other point.</summary>
    private static Tensor KthNeighbourRadii(Tensor x, int k, int chunk)
    {
        var radii = new List<Tensor>();
        for (long s = 0; s < x.shape[0]; s += chunk)
        {
            var part = x.narrow(0, s, Math.Min(chunk, x.shape[0] - s));
            var d = cdist(part, x);                               // (c, n); the point itself is at distance 0
            radii.Add(d.topk(k + 1, dim: 1, largest: false).values[.., k]);
        }
        return cat(radii, 0);
    }

    /// <summary>Fraction of <paramref name="queries"/> within some ball of the reference manifold.</summary>
    private static double Coverage(Tensor queries, Tensor reference, Tensor radii, int chunk)
    {
        long inside = 0;
        for (long s = 0; s < queries.shape[0]; s += chunk)
        {
            using var scope = NewDisposeScope();
            var part = queries.narrow(0, s, Math.Min(chunk, queries.shape[0] - s));
            var d = cdist(part, reference);                       // (c, m)
            inside += (d <= radii.unsqueeze(0)).any(1).sum().item<long>();
        }
        return (double)inside / queries.shape[0];
    }
}
