using System.Globalization;

namespace GenSharp.Pipelines;

/// <summary>
/// Shard <see cref="Index"/> of <see cref="Count"/> (<c>--shard k/n</c>, k from 0): a contiguous run of the sampling blocks of
/// <see cref="BatchedSampling"/>, so the n shards' samples concatenated in order are the unsharded samples bit for bit
/// (docs/scale-out.md#noise).
/// </summary>
public sealed record SampleShard(int Index, int Count)
{
    /// <summary>The whole draw as one shard.</summary>
    public static readonly SampleShard Whole = new(0, 1);

    /// <summary>Most shards a draw can be split into.</summary>
    public const int MaxCount = 100_000;

    /// <summary>Parses <c>k/n</c> (0 &lt;= k &lt; n); a one-line <see cref="ConfigException"/> otherwise.</summary>
    public static SampleShard Parse(string text)
    {
        string[] parts = text.Split('/');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int k)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n)
            && n >= 1 && n <= MaxCount && k < n)
            return new SampleShard(k, n);
        throw new ConfigException($"--shard {text}: expected k/n with 0 <= k < n <= {MaxCount} (shard k of n, counted from 0), e.g. --shard 0/4");
    }

    /// <summary>The blocks [first, end) this shard draws out of <paramref name="blocks"/>: an even contiguous split.</summary>
    public (int First, int End) Blocks(int blocks) =>
        ((int)((long)blocks * Index / Count), (int)((long)blocks * (Index + 1) / Count));

    /// <summary>
    /// The sample indices [first, end) of this shard when <paramref name="n"/> samples are drawn in blocks of <paramref name="batch"/>.
    /// </summary>
    public (int First, int End) Samples(int n, int batch)
    {
        var (first, end) = Blocks((n + batch - 1) / batch);
        return (Math.Min(first * batch, n), Math.Min(end * batch, n));
    }

    /// <summary><c>k/n</c>.</summary>
    public override string ToString() => $"{Index}/{Count}";
}
