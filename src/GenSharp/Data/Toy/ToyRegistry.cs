namespace GenSharp.Data.Toy;

/// <summary>Toy names to factories, in one place; <c>toy:NAME</c> or <c>toy:FILE.json</c>.</summary>
public static class ToyRegistry
{
    private static readonly Dictionary<string, Func<IToyDistribution>> Factories = new(StringComparer.Ordinal)
    {
        ["mog2"] = ToyDistributions.Mog2,
        ["8gaussians"] = ToyDistributions.EightGaussians,
        ["rings"] = ToyDistributions.Rings,
        ["moons"] = ToyDistributions.TwoMoons,
        ["swissroll"] = ToyDistributions.SwissRoll,
    };

    /// <summary>The built-in names.</summary>
    public static IReadOnlyCollection<string> Names => Factories.Keys;

    /// <summary>Whether the part after <c>toy:</c> names a .json mixture file (rather than a built-in toy).</summary>
    public static bool IsMixtureFile(string spec) => spec.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    /// <summary>Resolves the part after <c>toy:</c>: a built-in name or a .json mixture file.</summary>
    public static IToyDistribution Resolve(string spec)
    {
        if (IsMixtureFile(spec))
            return ToyMixtureFile.Load(spec);
        return Factories.TryGetValue(spec, out var make)
            ? make()
            : throw new ConfigException($"--data toy:{spec}: unknown toy; use one of {string.Join(", ", Factories.Keys)} or toy:FILE.json");
    }
}
