namespace GenSharp.Diffusion.Samplers;

/// <summary>
/// Optional hooks for a sampling loop: which x_t to record (by timestep index; index -1 or T means the
/// start noise x_T is never recorded, use T-1 for the first model input) and a progress callback
/// receiving (steps done, total steps).
/// </summary>
public sealed class SamplingObserver(IReadOnlyList<int>? recordAt = null, Action<int, int>? onStep = null)
{
    private readonly HashSet<int> _recordAt = recordAt is null ? [] : [.. recordAt];

    /// <summary>The timestep indices whose state is recorded.</summary>
    public IReadOnlyList<int> RecordAt => [.. _recordAt.Order()];

    /// <summary>True if the state entering step <paramref name="t"/> should be kept.</summary>
    public bool ShouldRecord(int t) => _recordAt.Contains(t);

    /// <summary>Reports progress.</summary>
    public void Step(int done, int total) => onStep?.Invoke(done, total);
}
