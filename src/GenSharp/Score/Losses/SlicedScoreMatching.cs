using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Score.Losses;

/// <summary>
/// Sliced score matching (Song et al. 2019; docs/score-models.md#sliced): with random projections v, E[v v^T] = I,
///   J_SSM(theta) = E_x E_v [ v^T (grad_x s_theta(x)) v + 1/2 (v^T s_theta(x))^2 ],
/// which equals J_ESM(theta) - 1/2 E||grad log p||^2 (integration by parts) without knowing the score.
/// The Jacobian term is a Hutchinson trace estimate, computed with one extra backward pass:
/// v^T J v = v . grad_x (v . s_theta(x)). The variance-reduced form (SSM-VR, for Gaussian v) replaces
/// 1/2 (v^T s)^2 by its expectation 1/2 ||s||^2. As a noise-conditional loss it is applied to
/// x~ = x + sigma z (learning the score of p_sigma) with weighting sigma^2.
/// </summary>
/// <param name="varianceReduced">Use 1/2 ||s||^2 instead of 1/2 (v^T s)^2.</param>
/// <param name="projections">Projections v per example (M).</param>
public sealed class SlicedScoreMatching(bool varianceReduced = true, int projections = 1) : IScoreMatchingLoss
{
    public const string RegistryName = "ssm";
    public const string VarianceReducedName = "ssm-vr";

    public string Name => varianceReduced ? VarianceReducedName : RegistryName;

    /// <summary>M, the projections per example.</summary>
    public int Projections => projections;

    public Tensor Loss(NoiseConditionalScore score, Tensor x, Tensor sigma, Generator generator)
    {
        using var scope = NewDisposeScope();
        var s = Scores.Broadcastable(sigma, x);
        Tensor xNoisy;
        using (no_grad()) xNoisy = x + s * randn(x.shape, dtype: x.dtype, device: x.device, generator: generator);
        var weight = sigma.pow(2);
        var objective = Objective(u => score(u, sigma), xNoisy, generator, varianceReduced, projections);
        return (weight * objective).mean().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Per-example objective (B): the mean over M Gaussian projections of v^T J v + 1/2 (v^T s)^2 (or
    /// + 1/2 ||s||^2 when variance-reduced). Gradients flow to the score's parameters (create_graph).
    /// </summary>
    public static Tensor Objective(Func<Tensor, Tensor> score, Tensor x, Generator generator, bool varianceReduced = true, int projections = 1)
    {
        if (projections < 1) throw new ConfigException($"projections {projections}: must be at least 1");
        using var scope = NewDisposeScope();
        var xr = x.detach().clone().requires_grad_(true);
        var sx = score(xr);                                          // (B, ...)
        if (!sx.requires_grad)
            throw new InvalidOperationException("sliced score matching needs a score that is differentiable in x; it was evaluated under no_grad");
        var total = zeros([x.shape[0]], dtype: x.dtype, device: x.device);
        for (int m = 0; m < projections; m++)
        {
            var v = randn(x.shape, dtype: x.dtype, device: x.device, generator: generator);
            var vs = (v * sx).flatten(1).sum(1);                      // v^T s, (B)
            var gradVs = autograd.grad([vs.sum()], [xr], create_graph: true, retain_graph: true)[0]; // J^T v
            var vJv = (gradVs * v).flatten(1).sum(1);                 // v^T J v, (B)
            var quadratic = varianceReduced ? 0.5 * sx.pow(2).flatten(1).sum(1) : 0.5 * vs.pow(2);
            total = total + vJv + quadratic;
        }
        return (total / projections).MoveToOuterDisposeScope();
    }
}
