namespace GenSharp.Tests;

/// <summary>
/// Tests that compare whole runs bit for bit, including torch's process-wide default generator (checkpoint tensor
/// <c>rng_global</c>, which dropout draws from). Any other test that draws from that generator at the same time changes
/// it, so these run alone, after the parallel tests (xunit runs a collection with parallelisation disabled by itself).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalRngCollection
{
    public const string Name = "global torch generator";
}
