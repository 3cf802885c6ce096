namespace GenSharp.Diffusion.Samplers;

/// <summary>
/// Optional hooks for a sampling loop: which x_t to record (by timestep index; index -1 or T means the
/// start noise x_T is never recorded, use T-1 for the first model input) and a progress callback
/// receiving (steps done, total steps); and the index of the call's first sample in the whole draw (<see cref="FirstSample"/>).
/// </summary>
public sealed class SamplingObserver(IReadOnlyList<int>? recordAt = null, Action<int, int>? onStep = null, long firstSample = 0)
{
    /// <summary>
    /// The index of this call's first sample in the whole draw (a block's offset in <c>BatchedSampling</c>), for conditions that follow
    /// the sample index: sample i of a <c>--text-file</c> draw shows line i mod lines, also in a later block or shard.
    /// </summary>
    public long FirstSample => firstSample;

    private readonly HashSet<int> _recordAt = recordAt is null ? [] : [.. recordAt];

    /// <summary>The timestep indices whose state is recorded.</summary>
    public IReadOnlyList<int> RecordAt => [.. _recordAt.Order()];

    /// <summary>True if the state entering step <paramref name="t"/> should be kept.</summary>
    public bool ShouldRecord(int t) => _recordAt.Contains(t);

    /// <summary>Reports progress.</summary>
    public void Step(int done, int total) => onStep?.Invoke(done, total);
}
