using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Score.Losses;

/// <summary>
/// Explicit score matching against a known score (Hyvarinen's original objective, usable on toys whose
/// score is exact; docs/score-models.md#explicit):
///   J_ESM(theta) = 1/2 E_{x ~ p} || s_theta(x) - grad log p(x) ||^2.
/// As a noise-conditional loss the target is the exact score of the perturbed density p_sigma at
/// x~ = x + sigma z, with weighting sigma^2.
/// </summary>
/// <param name="exactScore">grad log p_sigma(x, sigma), e.g. a Gaussian mixture's convolved score.</param>
public sealed class ExplicitScoreMatching(NoiseConditionalScore exactScore) : IScoreMatchingLoss
{
    public const string RegistryName = "explicit";

    public string Name => RegistryName;

    public Tensor Loss(NoiseConditionalScore score, Tensor x, Tensor sigma, Generator generator)
    {
        using var scope = NewDisposeScope();
        var s = Scores.Broadcastable(sigma, x);
        var xNoisy = x + s * randn(x.shape, dtype: x.dtype, device: x.device, generator: generator);
        Tensor target;
        using (no_grad()) target = exactScore(xNoisy, sigma);
        var term = (s * (score(xNoisy, sigma) - target)).pow(2).flatten(1).sum(1);
        return (0.5 * term.mean()).MoveToOuterDisposeScope();
    }

    /// <summary>Per-example 1/2 || s(x) - target(x) ||^2 (B), unweighted and unperturbed.</summary>
    public static Tensor Objective(Func<Tensor, Tensor> score, Tensor x, Func<Tensor, Tensor> exact)
    {
        using var scope = NewDisposeScope();
        Tensor target;
        using (no_grad()) target = exact(x);
        return (0.5 * (score(x) - target).pow(2).flatten(1).sum(1)).MoveToOuterDisposeScope();
    }
}
