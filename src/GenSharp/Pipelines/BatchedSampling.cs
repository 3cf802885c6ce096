using GenSharp.Diffusion.Samplers;
using GenSharp.Output;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Pipelines;

/// <summary>
/// Draws any number of images in blocks of a fixed size, each block from its own generator seeded by (seed, block index), with one
/// progress bar: sample i's start and sampling noise depend only on the seed, the block size and i (and, in a last partial block, on
/// that block's size), so a shard of the blocks (<see cref="SampleShard"/>) draws exactly the images the whole draw has there
/// (docs/scale-out.md#noise).
/// </summary>
public static class BatchedSampling
{
    /// <summary>Images per sampler call (memory stays bounded for any --n).</summary>
    public const int DefaultBatch = 250;

    /// <summary>
    /// The seed of block <paramref name="block"/>: the seed itself for block 0 (so a draw of one block is what one generator seeded
    /// with <paramref name="seed"/> gives), SplitMix64 of (seed, block) for the others.
    /// </summary>
    public static ulong BlockSeed(long seed, int block)
    {
        if (block == 0) return (ulong)seed;
        ulong z = (ulong)seed + (ulong)block * 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>
    /// The images of <paramref name="shard"/> (default: all) out of <paramref name="n"/> in [-1, 1], drawn in blocks of
    /// <paramref name="batch"/>; the trajectory <paramref name="observer"/> asks for is recorded on the shard's first block only.
    /// </summary>
    public static SamplerResult Draw(IImageSampler sampler, int n, long seed, Device device, bool quiet,
        SamplingObserver? observer = null, int batch = DefaultBatch, SampleShard? shard = null)
    {
        if (batch < 1) throw new ConfigException($"--batch {batch}: must be at least 1");
        int blocks = (n + batch - 1) / batch;
        var (first, end) = (shard ?? SampleShard.Whole).Blocks(blocks);
        if (first == end)
            throw new ConfigException($"--shard {shard}: {n} samples in blocks of {batch} make {blocks} block(s), fewer than {shard!.Count} " +
                                      "shards; use fewer shards or a smaller --batch");
        int perBatch = sampler.FunctionEvaluations;
        using var progress = ProgressReporter.Start($"sampling {n} ({sampler.Label})", (long)(end - first) * perBatch, quiet);
        var parts = new List<Tensor>();
        var labels = new List<Tensor>();
        var trajectory = new Dictionary<int, Tensor>();
        double seconds = 0;
        int evaluations = perBatch;
        for (int b = first; b < end; b++)
        {
            int size = Math.Min(batch, n - b * batch);
            int done = (b - first) * perBatch;
            var batchObserver = new SamplingObserver(
                recordAt: b == first ? observer?.RecordAt : null,
                onStep: (k, _) => { if (k % 10 == 0) progress.Report(done + k); },
                firstSample: (long)b * batch);
            using var g = new Generator(BlockSeed(seed, b), device);
            var result = sampler.Sample(size, g, batchObserver);
            parts.Add(result.Samples);
            if (result.Labels is { } y) labels.Add(y);
            foreach (var (k, v) in result.Trajectory) trajectory[k] = v;
            seconds += result.Seconds;
            evaluations = result.FunctionEvaluations;
            progress.Report(done + perBatch);
        }
        return new SamplerResult(Concatenate(parts), evaluations, seconds, trajectory, labels.Count == 0 ? null : Concatenate(labels));
    }

    /// <summary>The blocks' tensors as one (the parts are disposed when there is more than one).</summary>
    internal static Tensor Concatenate(List<Tensor> parts)
    {
        if (parts.Count == 1) return parts[0];
        var all = cat(parts, 0);
        foreach (var p in parts) p.Dispose();
        return all;
    }
}
