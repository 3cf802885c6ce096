using GenSharp.Diffusion.Samplers;
using GenSharp.Output;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Pipelines;

/// <summary>Draws any number of images in batches from one seeded generator (so a seed fixes every start noise), with one progress bar.</summary>
public static class BatchedSampling
{
    /// <summary>Images per sampler call (memory stays bounded for any --n).</summary>
    public const int DefaultBatch = 250;

    /// <summary>
    /// <paramref name="n"/> images in [-1, 1] in batches of <paramref name="batch"/>, all from one generator seeded with
    /// <paramref name="seed"/>; the trajectory <paramref name="observer"/> asks for is recorded on the first batch only.
    /// </summary>
    public static SamplerResult Draw(IImageSampler sampler, int n, long seed, Device device, bool quiet,
        SamplingObserver? observer = null, int batch = DefaultBatch)
    {
        using var g = new Generator((ulong)seed, device);
        int perBatch = sampler.FunctionEvaluations;
        int batches = (n + batch - 1) / batch;
        using var progress = ProgressReporter.Start($"sampling {n} ({sampler.Label})", (long)batches * perBatch, quiet);
        var parts = new List<Tensor>();
        var trajectory = new Dictionary<int, Tensor>();
        double seconds = 0;
        int evaluations = perBatch;
        for (int b = 0; b < batches; b++)
        {
            int size = Math.Min(batch, n - b * batch);
            int done = b * perBatch;
            var batchObserver = new SamplingObserver(
                recordAt: b == 0 ? observer?.RecordAt : null,
                onStep: (k, _) => { if (k % 10 == 0) progress.Report(done + k); });
            var result = sampler.Sample(size, g, batchObserver);
            parts.Add(result.Samples);
            foreach (var (k, v) in result.Trajectory) trajectory[k] = v;
            seconds += result.Seconds;
            evaluations = result.FunctionEvaluations;
            progress.Report(done + perBatch);
        }
        var all = parts.Count == 1 ? parts[0] : cat(parts, 0);
        if (parts.Count > 1) foreach (var p in parts) p.Dispose();
        return new SamplerResult(all, evaluations, seconds, trajectory);
    }
}
