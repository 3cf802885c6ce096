using GenSharp.Score.Losses;

namespace GenSharp.Score.Images;

/// <summary>
/// The score-matching objective an NCSN on images trains with (docs/score-models.md#sliced): denoising score matching (NCSN's, the
/// default), or sliced score matching on the perturbed data x~ = x + sigma z (Song et al. 2019), plain (<c>ssm</c>, 1/2 (v^T s)^2) or
/// variance-reduced (<c>ssm-vr</c>, 1/2 ||s||^2). Sliced score matching needs no noise model for its target: it learns the score of p_sigma
/// from samples of it, at the price of a Hutchinson trace estimate v^T (grad_x s) v per projection, i.e. one extra backward pass through
/// the network (and a double backward for the parameter gradient). Every objective is weighted by lambda(sigma) = sigma^2.
/// </summary>
public sealed record NcsnObjectiveConfig
{
    /// <summary>The names <c>train ncsn --loss</c> accepts (Parzen and explicit score matching need the training set or the exact score).</summary>
    public static readonly string[] ImageLosses =
        [DenoisingScoreMatching.RegistryName, SlicedScoreMatching.RegistryName, SlicedScoreMatching.VarianceReducedName];

    /// <summary><c>dsm</c>, <c>ssm</c> or <c>ssm-vr</c>.</summary>
    public string Loss { get; init; } = DenoisingScoreMatching.RegistryName;

    /// <summary>Random projections v per example for the sliced objectives (M in Song et al. 2019); unused by DSM.</summary>
    public int Projections { get; init; } = 1;

    public NcsnObjectiveConfig Validate()
    {
        if (!ImageLosses.Contains(Loss))
            throw new ConfigException($"--loss {Loss}: train ncsn trains with {string.Join(", ", ImageLosses)}; the Parzen and explicit " +
                "objectives are for 2D toys (gensharp lab score-toy)");
        if (Projections is < 1 or > 64) throw new ConfigException($"--projections {Projections}: must be between 1 and 64");
        if (Projections != 1 && Loss == DenoisingScoreMatching.RegistryName)
            throw new ConfigException($"--projections {Projections}: only the sliced objectives (--loss ssm or ssm-vr) draw projections");
        return this;
    }

    /// <summary>The loss object (<see cref="ScoreLossRegistry"/> names; the sliced ones with <see cref="Projections"/>).</summary>
    public IScoreMatchingLoss Create() => Loss switch
    {
        SlicedScoreMatching.RegistryName => new SlicedScoreMatching(varianceReduced: false, Projections),
        SlicedScoreMatching.VarianceReducedName => new SlicedScoreMatching(varianceReduced: true, Projections),
        _ => new DenoisingScoreMatching(),
    };
}
