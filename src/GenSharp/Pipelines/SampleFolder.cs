using GenSharp.Data;
using GenSharp.Output;
using GenSharp.Training;
using static TorchSharp.torch;

namespace GenSharp.Pipelines;

/// <summary>What <c>gensharp sample</c> writes for every image family: a folder of PNGs and a grid of the first 100 beside it.</summary>
public static class SampleFolder
{
    /// <summary>Writes (N, C, H, W) images in [-1, 1] to <paramref name="folder"/> and <c>folder.png</c>; returns both paths.</summary>
    public static IReadOnlyList<string> Write(Tensor samples, string folder, int firstIndex = 0)
    {
        PngFolder.Write(samples, folder, firstIndex);
        string grid = folder.TrimEnd('/') + ".png";
        using (var first = samples.narrow(0, 0, Math.Min(samples.shape[0], 100))) ImageGrid.Save(first, grid, columns: 10, scale: 2);
        return [folder, grid];
    }

    /// <summary>
    /// <c>gensharp sample</c> for any image sampler: <paramref name="request"/>.N images from one seed in batches of <paramref name="batch"/>,
    /// written to <c>--output</c> or <c>samples/PREFIX-nN-seedS</c> (PREFIX: <paramref name="prefix"/>, else the sampler's label). A shard
    /// writes its part, named by the samples' indices in the whole draw, to <c>...-shardK-of-N</c> (docs/scale-out.md).
    /// </summary>
    public static SampleOutcome Draw(RunDirectory run, SampleRequest request, IImageSampler sampler, Device device, string? prefix = null,
        int batch = BatchedSampling.DefaultBatch)
    {
        if (request.Batch > 0) batch = request.Batch;
        var result = BatchedSampling.Draw(sampler, request.N, request.Seed, device, request.Quiet, batch: batch, shard: request.Shard);
        using var samples = result.Samples;
        string shard = request.Shard is { } s ? $"-shard{s.Index}-of-{s.Count}" : "";
        string folder = request.Output ?? Path.Combine(run.SamplesDir, $"{prefix ?? sampler.Label}-n{request.N}-seed{request.Seed}{shard}");
        int first = (request.Shard ?? SampleShard.Whole).Samples(request.N, batch).First;
        var written = Write(samples, folder, first);
        if (result.Labels is { } labels)
            using (labels) WriteLabels(sampler.LabelColumn(labels), folder, first);
        return new SampleOutcome(written, (int)samples.shape[0], result.Seconds, result.FunctionEvaluations);
    }

    /// <summary>
    /// <c>labels.csv</c> of a conditional draw: each PNG's file name and the class it was drawn for (the index into config.json's
    /// <c>class_names</c>), so that a draw without <c>--class</c> can still be scored per class; or the string a text-conditional draw asked
    /// for (<c>file,text</c>, as <c>gensharp data captcha</c> writes).
    /// </summary>
    public static void WriteLabels((string Header, string[] Values) column, string folder, int firstIndex = 0)
    {
        var lines = column.Values.Select((y, i) => $"{firstIndex + i:D6}.png,{y}").Prepend("file," + column.Header);
        AtomicFile.WriteAllText(Path.Combine(folder, "labels.csv"), string.Join("\n", lines) + "\n");
    }
}
