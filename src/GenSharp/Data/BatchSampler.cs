using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Data;

/// <summary>
/// Deterministic, resumable mini-batches: the permutation of epoch e comes from a generator seeded
/// with (seed, e), so the indices of any global step can be recomputed without stored state — which
/// is what makes <c>--resume</c> exact.
/// </summary>
public sealed class BatchSampler : IDisposable
{
    private long _cachedEpoch = -1;
    private Tensor? _permutation;

    public BatchSampler(long count, int batchSize, long seed, bool shuffle = true, bool dropLast = true)
    {
        if (count < 1) throw new ConfigException($"dataset is empty; nothing to batch");
        if (batchSize < 1 || batchSize > count) throw new ConfigException($"--batch {batchSize}: must be between 1 and the dataset size ({count})");
        Count = count;
        BatchSize = batchSize;
        Seed = seed;
        Shuffle = shuffle;
        DropLast = dropLast;
        BatchesPerEpoch = (int)(dropLast ? count / batchSize : (count + batchSize - 1) / batchSize);
    }

    public long Count { get; }
    public int BatchSize { get; }
    public long Seed { get; }
    public bool Shuffle { get; }
    public bool DropLast { get; }
    public int BatchesPerEpoch { get; }

    /// <summary>The int64 indices of global step <paramref name="step"/> (0-based).</summary>
    public Tensor BatchIndices(long step)
    {
        long epoch = step / BatchesPerEpoch;
        long b = step % BatchesPerEpoch;
        if (epoch != _cachedEpoch)
        {
            _permutation?.Dispose();
            if (Shuffle)
            {
                using var g = new Generator((ulong)unchecked(Seed * 1_000_003 + epoch), CPU);
                _permutation = randperm(Count, generator: g).DetachFromDisposeScope();
            }
            else
            {
                _permutation = arange(Count, dtype: ScalarType.Int64).DetachFromDisposeScope();
            }
            _cachedEpoch = epoch;
        }
        long start = b * BatchSize, length = Math.Min(BatchSize, Count - start);
        return _permutation!.narrow(0, start, length).clone();
    }

    public void Dispose() => _permutation?.Dispose();
}
