using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Score.Losses;

/// <summary>
/// A score-matching objective for a noise-conditional score network (docs/score-models.md#score-matching). Given clean data x (B, ...)
/// and a noise level per example sigma (B), it perturbs x~ = x + sigma z, evaluates the objective for
/// the score of p_sigma at (x~, sigma) and returns the batch mean of lambda(sigma) * objective with the
/// NCSN weighting lambda(sigma) = sigma^2, which makes every level's term of order 1.
/// </summary>
public interface IScoreMatchingLoss
{
    /// <summary>Registry name (<see cref="ScoreLossRegistry"/>).</summary>
    string Name { get; }

    /// <summary>The scalar loss; <paramref name="generator"/> draws the perturbation (and projections).</summary>
    Tensor Loss(NoiseConditionalScore score, Tensor x, Tensor sigma, Generator generator);
}
