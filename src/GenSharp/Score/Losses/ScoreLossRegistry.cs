using static TorchSharp.torch;

namespace GenSharp.Score.Losses;

/// <summary>What a score-matching loss may need besides the network: the training set (Parzen) and the exact score (explicit, toys only).</summary>
public sealed record ScoreLossContext(Tensor TrainingSet, NoiseConditionalScore? ExactScore = null);

/// <summary>Score-matching losses by name, in one place (a new loss is one file plus one line here).</summary>
public static class ScoreLossRegistry
{
    private static readonly Dictionary<string, Func<ScoreLossContext, IScoreMatchingLoss>> Factories = new(StringComparer.Ordinal)
    {
        [DenoisingScoreMatching.RegistryName] = _ => new DenoisingScoreMatching(),
        [SlicedScoreMatching.VarianceReducedName] = _ => new SlicedScoreMatching(varianceReduced: true),
        [SlicedScoreMatching.RegistryName] = _ => new SlicedScoreMatching(varianceReduced: false),
        [ParzenScoreMatching.RegistryName] = c => new ParzenScoreMatching(c.TrainingSet),
        [ExplicitScoreMatching.RegistryName] = c => new ExplicitScoreMatching(
            c.ExactScore ?? throw new ConfigException("--loss explicit needs an exact score; it is available for toy:... data only")),
    };

    public static IReadOnlyCollection<string> Names => Factories.Keys;

    public static IScoreMatchingLoss Create(string name, ScoreLossContext context) =>
        Factories.TryGetValue(name, out var make)
            ? make(context)
            : throw new ConfigException($"--loss {name}: unknown score-matching loss; use one of {string.Join(", ", Factories.Keys)}");
}
