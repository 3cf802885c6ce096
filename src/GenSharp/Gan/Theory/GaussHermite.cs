using static TorchSharp.torch;

namespace GenSharp.Gan.Theory;

/// <summary>
/// Gauss-Hermite quadrature for expectations under the standard normal:
/// E[f(X)], X ~ N(0, 1) ~= sum_i w_i f(x_i), exact for polynomials of degree &lt;= 2n - 1.
/// Nodes and weights by Golub-Welsch: the eigenvalues of the symmetric tridiagonal Jacobi matrix of the
/// probabilists' Hermite polynomials (zero diagonal, off-diagonal sqrt(k)) and the squared first
/// components of its unit eigenvectors.
/// </summary>
public sealed class GaussHermite
{
    public GaussHermite(int n)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), "at least one node");
        using var scope = NewDisposeScope();
        var jacobi = zeros(n, n, dtype: ScalarType.Float64);
        for (int k = 1; k < n; k++)
        {
            jacobi[k - 1, k] = Math.Sqrt(k);
            jacobi[k, k - 1] = Math.Sqrt(k);
        }
        var (values, vectors) = linalg.eigh(jacobi);
        Nodes = values.data<double>().ToArray();
        Weights = vectors[0].pow(2).data<double>().ToArray();
    }

    public double[] Nodes { get; }
    public double[] Weights { get; }

    /// <summary>E[f(X)] for X ~ N(0, 1).</summary>
    public double Expect(Func<double, double> f)
    {
        double s = 0;
        for (int i = 0; i < Nodes.Length; i++) s += Weights[i] * f(Nodes[i]);
        return s;
    }
}
