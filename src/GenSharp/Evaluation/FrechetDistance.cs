using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Evaluation;

/// <summary>
/// Fréchet distance between Gaussians fitted to two feature sets (the FID formula, docs/evaluation.md#frechet-distance):
/// FD = ||mu_1 - mu_2||^2 + Tr(S_1 + S_2 - 2 (S_1 S_2)^(1/2)), in float64.
/// The trace of the matrix square root uses the symmetric form
/// Tr((S_1 S_2)^(1/2)) = Tr((S_1^(1/2) S_2 S_1^(1/2))^(1/2)) = sum_i sqrt(lambda_i),
/// with S_1^(1/2) and the eigenvalues lambda_i of the symmetric PSD middle matrix from eigendecompositions
/// (negative round-off eigenvalues clipped to 0), which avoids the complex results of a general sqrtm.
/// </summary>
public static class FrechetDistance
{
    /// <summary>Mean and covariance (unbiased) of (n, d) features, float64.</summary>
    public static (Tensor Mean, Tensor Cov) Statistics(Tensor features)
    {
        using var scope = NewDisposeScope();
        var x = features.to_type(ScalarType.Float64);
        if (x.dim() != 2 || x.shape[0] < 2) throw new ArgumentException("features must be (n >= 2, d)");
        var mean = x.mean([0]);
        var centred = x - mean;
        var cov = centred.T.matmul(centred) / (x.shape[0] - 1);
        return (mean.MoveToOuterDisposeScope(), cov.MoveToOuterDisposeScope());
    }

    /// <summary>FD between two feature sets.</summary>
    public static double Compute(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        var (m1, s1) = Statistics(a);
        var (m2, s2) = Statistics(b);
        return FromStatistics(m1, s1, m2, s2);
    }

    /// <summary>FD between two Gaussians given by mean and covariance.</summary>
    public static double FromStatistics(Tensor mu1, Tensor sigma1, Tensor mu2, Tensor sigma2)
    {
        using var scope = NewDisposeScope();
        var s1 = Symmetrize(sigma1.to_type(ScalarType.Float64));
        var s2 = Symmetrize(sigma2.to_type(ScalarType.Float64));
        var (l1, v1) = linalg.eigh(s1);
        var sqrtS1 = v1.matmul(diag(l1.clamp_min(0).sqrt())).matmul(v1.T);
        var middle = Symmetrize(sqrtS1.matmul(s2).matmul(sqrtS1));
        var (lm, _) = linalg.eigh(middle);
        double traceSqrt = lm.clamp_min(0).sqrt().sum().item<double>();
        double meanTerm = (mu1.to_type(ScalarType.Float64) - mu2.to_type(ScalarType.Float64)).pow(2).sum().item<double>();
        double fd = meanTerm + s1.trace().item<double>() + s2.trace().item<double>() - 2 * traceSqrt;
        return Math.Max(fd, 0);
    }

    private static Tensor Symmetrize(Tensor s) => (s + s.T) / 2;
}
