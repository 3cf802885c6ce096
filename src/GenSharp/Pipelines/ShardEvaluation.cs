using System.Text.Json;
using GenSharp.Data;
using GenSharp.Evaluation;
using GenSharp.Files;
using GenSharp.Training;
using static TorchSharp.torch;

namespace GenSharp.Pipelines;

/// <summary>What <c>eval RUN --shard k/n</c> is asked for; <paramref name="Batch"/> 0 keeps the family's block size.</summary>
public sealed record ShardEvalRequest(int N, long Seed, SampleShard Shard, string Output, bool KeepFeatures, int Batch = 0, bool Quiet = true,
    SamplingChoice? Choice = null);

/// <summary>What one shard wrote (shard.json), as <see cref="ShardMerge"/> reads it back.</summary>
public sealed record ShardManifest(string Run, string Model, string Data, HeldOutSplit? HeldOut, int N, long Seed, int Batch, int Index,
    int Count, int FirstSample, int Samples, string SamplerLabel, int FunctionEvaluations, double SamplingSeconds, string Features,
    bool HasFeatures, long Parameters);

/// <summary>
/// One shard of an image run's evaluation (docs/scale-out.md): draws shard k of n of the N samples (<see cref="BatchedSampling"/>, so
/// every sample is the one an unsharded draw makes there), extracts their features with the committed feature network and writes,
/// into a new folder, <c>stats.safetensors</c> (<see cref="FeatureStatistics"/>: count, sum, sum of outer products, float64),
/// optionally <c>features.safetensors</c> (the feature matrix and logits, for KID and precision/recall), and <c>shard.json</c>.
/// </summary>
public static class ShardEvaluation
{
    public const string ManifestFile = "shard.json", StatisticsFile = "stats.safetensors", FeaturesFile = "features.safetensors";

    /// <summary>Runs one shard of <paramref name="run"/> and returns the folder written.</summary>
    public static string Run(IImageRunSource source, RunDirectory run, string model, ShardEvalRequest request, Device device)
    {
        if (request.N < 10) throw new ConfigException($"--n {request.N}: must be at least 10");
        string output = Path.GetFullPath(request.Output);
        OutputTarget.RequireNewFolder(output);
        using var handle = source.Open(run, request.Choice, device);
        int batch = request.Batch > 0 ? request.Batch : handle.Batch;
        var drawn = BatchedSampling.Draw(handle.Sampler, request.N, request.Seed, device, request.Quiet, batch: batch, shard: request.Shard);
        using var samples = drawn.Samples;
        foreach (var t in drawn.Trajectory.Values) t.Dispose();
        using var extractor = LoadExtractor(handle.Data, samples);
        var (features, logits) = extractor.Extract(samples);
        using (features)
        using (logits)
        using (var stats = FeatureStatistics.Of(features, logits))
        {
            var manifest = new ShardManifest(run.Root, model, handle.Data, handle.HeldOut, request.N, request.Seed, batch, request.Shard.Index,
                request.Shard.Count, request.Shard.Samples(request.N, batch).First, (int)samples.shape[0], handle.Sampler.Label,
                drawn.FunctionEvaluations, drawn.Seconds, extractor.Version, request.KeepFeatures, handle.Parameters);
            string temp = output + ".partial-" + Environment.ProcessId;
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
            Directory.CreateDirectory(temp);
            var metadata = new Dictionary<string, string> { ["features"] = extractor.Version, ["shard"] = request.Shard.ToString() };
            stats.Save(Path.Combine(temp, StatisticsFile), metadata);
            if (request.KeepFeatures)
                Safetensors.Save(Path.Combine(temp, FeaturesFile), new Dictionary<string, Tensor> { ["features"] = features, ["logits"] = logits },
                    metadata);
            File.WriteAllText(Path.Combine(temp, ManifestFile), JsonSerializer.Serialize(manifest, JsonDefaults.Options) + "\n");
            OutputTarget.RequireNewFolder(output);
            if (Directory.Exists(output)) Directory.Delete(output);
            Directory.Move(temp, output);
        }
        return output;
    }

    /// <summary>The committed feature network, or a one-line error when it cannot score these images.</summary>
    public static FeatureExtractor LoadExtractor(string data, Tensor samples)
    {
        var notes = new StringWriter();
        int[] shape = samples.shape.Skip(1).Select(d => (int)d).ToArray();
        return FeatureExtractor.TryLoadFor(data, shape, notes)
            ?? throw new ConfigException(notes.ToString().Trim().Replace("note: ", "") + "; sharded evaluation needs the feature network");
    }
}
