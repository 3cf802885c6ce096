using System.Security.Cryptography;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Data;

/// <summary>
/// The images of a <c>png:DIR</c> folder held out of training, declared in config.json when the run is created: a random
/// <see cref="Fraction"/> of the folder's <see cref="Total"/> images (sorted by file name) chosen with <see cref="Seed"/>.
/// The samples are scored against them, and the floor compares as many of the remaining (training) images with them.
/// <see cref="IndicesSha256"/> fingerprints the chosen indices, so a folder that changed since is refused, not silently re-split.
/// </summary>
public sealed record HeldOutSplit
{
    /// <summary>The fraction held out when a run is created.</summary>
    public const double DefaultFraction = 0.1;

    public double Fraction { get; init; } = DefaultFraction;
    public long Seed { get; init; }

    /// <summary>Images in the folder when the run was created.</summary>
    public int Total { get; init; }

    /// <summary>Images held out: round(Fraction * Total).</summary>
    public int Count { get; init; }

    /// <summary>SHA-256 of the held-out indices, ascending, as comma-separated decimal text.</summary>
    public string IndicesSha256 { get; init; } = "";

    /// <summary>The split of a folder of <paramref name="total"/> images.</summary>
    public static HeldOutSplit For(int total, long seed, double fraction = DefaultFraction)
    {
        var split = new HeldOutSplit { Fraction = fraction, Seed = seed, Total = total, Count = (int)Math.Round(fraction * total) }.Validate();
        return split with { IndicesSha256 = Fingerprint(split.HeldOutIndices()) };
    }

    /// <summary>The held-out indices, ascending.</summary>
    public long[] HeldOutIndices()
    {
        using var g = new Generator((ulong)Seed + 41, CPU);
        using var order = randperm(Total, generator: g);
        return [.. order.narrow(0, 0, Count).data<long>().ToArray().Order()];
    }

    /// <summary>The training indices (every image not held out), ascending.</summary>
    public long[] TrainIndices()
    {
        var held = HeldOutIndices().ToHashSet();
        return [.. Enumerable.Range(0, Total).Select(i => (long)i).Where(i => !held.Contains(i))];
    }

    /// <summary>Splits a folder's images; refuses a folder whose size or split no longer matches the declaration.</summary>
    public (ImageDataset Train, ImageDataset HeldOut) Apply(ImageDataset all, string data)
    {
        if (all.Count != Total || (IndicesSha256.Length > 0 && Fingerprint(HeldOutIndices()) != IndicesSha256))
            throw new ConfigException(
                $"--data {data}: the folder holds {all.Count} images, but the run held out {Count} of {Total}; " +
                "restore the folder or start a new run");
        return (Subset(all, TrainIndices(), "train"), Subset(all, HeldOutIndices(), "held-out"));
    }

    public HeldOutSplit Validate()
    {
        if (!(Fraction > 0 && Fraction < 1)) throw new ConfigException($"held-out fraction {Fraction}: must be in (0, 1)");
        if (Total < 0 || Count < 0 || Count > Total) throw new ConfigException($"held-out split of {Count} of {Total} images: not a split");
        return this;
    }

    private static ImageDataset Subset(ImageDataset all, long[] indices, string part)
    {
        using var index = tensor(indices, device: all.Images.device);
        return new ImageDataset($"{all.Name} ({part})", all.Images.index_select(0, index), all.Labels?.index_select(0, index),
            all.ClassNames, all.Range, all.ContentHash);
    }

    private static string Fingerprint(long[] indices) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(string.Join(",", indices))));
}
