using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Data.Toy;

/// <summary>
/// A mixture of 2D Gaussians p(x) = sum_k w_k N(x; mu_k, Sigma_k) with closed-form log-density
/// (log-sum-exp of the components) and score
/// grad log p(x) = sum_k r_k(x) (-Sigma_k^{-1} (x - mu_k)), r_k = w_k N_k(x) / p(x).
/// All arithmetic in float64.
/// </summary>
public sealed class GaussianMixture2D : IToyDistribution
{
    private readonly double[][] _precisions; // Sigma_k^{-1} as [a, b, c, d] row-major
    private readonly double[] _logNorm;      // log w_k - log(2 pi) - 1/2 log det Sigma_k
    private readonly double[][] _cholesky;   // L_k as [l11, l21, l22]

    public GaussianMixture2D(string name, double[] weights, double[][] means, double[][][] covariances)
    {
        if (weights.Length == 0 || weights.Length != means.Length || weights.Length != covariances.Length)
            throw new ArgumentException("weights, means and covariances must be non-empty and of equal length");
        Name = name;
        Weights = weights;
        Means = means;
        Covariances = covariances;
        int k = weights.Length;
        _precisions = new double[k][];
        _logNorm = new double[k];
        _cholesky = new double[k][];
        for (int i = 0; i < k; i++)
        {
            var (a, b, c) = (covariances[i][0][0], covariances[i][0][1], covariances[i][1][1]);
            double det = a * c - b * b;
            if (!(a > 0 && det > 0)) throw new ArgumentException($"component {i}: covariance is not positive definite");
            _precisions[i] = [c / det, -b / det, -b / det, a / det];
            _logNorm[i] = Math.Log(weights[i]) - Math.Log(2 * Math.PI) - 0.5 * Math.Log(det);
            double l11 = Math.Sqrt(a), l21 = b / l11, l22 = Math.Sqrt(c - l21 * l21);
            _cholesky[i] = [l11, l21, l22];
        }
    }

    public string Name { get; }
    public int Dimension => 2;
    public int Components => Weights.Length;
    public double[] Weights { get; }
    public double[][] Means { get; }
    public double[][][] Covariances { get; }

    public Tensor Sample(long n, Generator generator, Device? device = null) => SampleWithComponents(n, generator, device).Samples;

    /// <summary>Samples and the index of the component each came from.</summary>
    public (Tensor Samples, Tensor Components) SampleWithComponents(long n, Generator generator, Device? device = null)
    {
        device ??= CPU;
        using var scope = NewDisposeScope();
        var w = tensor(Weights, dtype: ScalarType.Float64, device: device);
        var k = multinomial(w, n, replacement: true, generator: generator);                          // (n)
        var z = randn([n, 2], dtype: ScalarType.Float64, device: device, generator: generator);      // (n, 2)
        var mu = tensor(Means.SelectMany(m => m).ToArray(), dtype: ScalarType.Float64, device: device).reshape(Components, 2);
        var L = tensor(_cholesky.SelectMany(l => l).ToArray(), dtype: ScalarType.Float64, device: device).reshape(Components, 3);
        var m = mu.index_select(0, k);
        var l = L.index_select(0, k);
        var x1 = m[.., 0] + l[.., 0] * z[.., 0];
        var x2 = m[.., 1] + l[.., 1] * z[.., 0] + l[.., 2] * z[.., 1];
        var x = stack([x1, x2], 1).to_type(ScalarType.Float32);
        return (x.MoveToOuterDisposeScope(), k.MoveToOuterDisposeScope());
    }

    /// <summary>log(w_k N_k(x)) for each component: (n, K) float64.</summary>
    public Tensor ComponentLogDensities(Tensor x)
    {
        using var scope = NewDisposeScope();
        var xd = x.to_type(ScalarType.Float64);
        var cols = new Tensor[Components];
        for (int i = 0; i < Components; i++)
        {
            var d1 = xd[.., 0] - Means[i][0];
            var d2 = xd[.., 1] - Means[i][1];
            var p = _precisions[i];
            var quad = p[0] * d1 * d1 + (p[1] + p[2]) * d1 * d2 + p[3] * d2 * d2;
            cols[i] = _logNorm[i] - 0.5 * quad;
        }
        return stack(cols, 1).MoveToOuterDisposeScope();
    }

    public Tensor LogProb(Tensor x)
    {
        using var scope = NewDisposeScope();
        return ComponentLogDensities(x).logsumexp(1).MoveToOuterDisposeScope();
    }

    /// <summary>Posterior component probabilities r_k(x): (n, K) float64.</summary>
    public Tensor Responsibilities(Tensor x)
    {
        using var scope = NewDisposeScope();
        return ComponentLogDensities(x).softmax(1).MoveToOuterDisposeScope();
    }

    public Tensor Score(Tensor x)
    {
        using var scope = NewDisposeScope();
        var xd = x.to_type(ScalarType.Float64);
        var r = Responsibilities(xd);
        var s1 = zeros_like(xd[.., 0]);
        var s2 = zeros_like(xd[.., 0]);
        for (int i = 0; i < Components; i++)
        {
            var d1 = xd[.., 0] - Means[i][0];
            var d2 = xd[.., 1] - Means[i][1];
            var p = _precisions[i];
            s1 = s1 - r[.., i] * (p[0] * d1 + p[1] * d2);
            s2 = s2 - r[.., i] * (p[2] * d1 + p[3] * d2);
        }
        return stack([s1, s2], 1).to_type(x.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>The law of x + sigma z: every covariance plus sigma^2 I (exact noised density and score).</summary>
    public GaussianMixture2D Convolve(double sigma)
    {
        double v = sigma * sigma;
        return new GaussianMixture2D($"{Name}*N(0,{sigma}^2)", Weights, Means,
            Covariances.Select(c => new[] { new[] { c[0][0] + v, c[0][1] }, new[] { c[1][0], c[1][1] + v } }).ToArray());
    }
}
