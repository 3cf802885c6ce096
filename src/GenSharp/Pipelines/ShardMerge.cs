using System.Text.Json;
using GenSharp.Evaluation;
using GenSharp.Files;
using GenSharp.Training;
using static TorchSharp.torch;

namespace GenSharp.Pipelines;

/// <summary>
/// <c>eval merge DIR...</c> (docs/scale-out.md#merging): reads the folders written by <see cref="ShardEvaluation"/>, checks that they
/// are the n shards of one evaluation (same run, N, seed, block size, feature network; every index once), adds their statistics exactly
/// and scores the union with <see cref="SampleScoring"/>; KID and precision/recall need every shard's feature matrix.
/// </summary>
public static class ShardMerge
{
    /// <summary>Merges <paramref name="folders"/> into the new JSON file <paramref name="output"/>; returns the metrics.</summary>
    public static IReadOnlyDictionary<string, double?> Run(IReadOnlyList<string> folders, string output, TextWriter notes, bool quiet = true)
    {
        OutputTarget.RequireReplaceableFile(output);
        if (File.Exists(output)) throw new ConfigException($"{output}: exists; choose another --out or remove it");
        var manifests = folders.Select(ReadManifest).ToList();
        var first = Check(manifests, folders);
        var order = Enumerable.Range(0, manifests.Count).OrderBy(i => manifests[i].Index).ToList();
        var parts = new List<FeatureStatistics>();
        using var scope = NewDisposeScope();
        try
        {
            foreach (int i in order) parts.Add(FeatureStatistics.Load(Path.Combine(folders[i], ShardEvaluation.StatisticsFile)).Statistics);
            using var merged = FeatureStatistics.Merge(parts);
            Tensor? features = null, logits = null;
            if (manifests.All(m => m.HasFeatures))
            {
                var loaded = order.Select(i => Safetensors.Load(Path.Combine(folders[i], ShardEvaluation.FeaturesFile))).ToList();
                features = cat(loaded.Select(c => c.Tensors["features"]).ToList(), 0);
                logits = cat(loaded.Select(c => c.Tensors["logits"]).ToList(), 0);
                foreach (var c in loaded) c.Dispose();
            }
            else
            {
                notes.WriteLine("note: not every shard kept its features (--features), so KID and precision/recall are not computed");
            }
            using var extractor = FeatureExtractor.Load();
            if (extractor.Version != first.Features)
                throw new ConfigException($"{folders[0]}: features by {first.Features}, but this GenSharp's feature network is {extractor.Version}");
            using var progress = ScoringProgress.Start($"scoring the {first.N} merged samples against the held-out images and the floor",
                SampleScoring.Work(first.N), quiet);
            var metrics = SampleScoring.Score(extractor, first.Data, first.HeldOut, first.N, first.Seed, merged, features, logits, notes,
                progress);
            double seconds = manifests.Sum(m => m.SamplingSeconds);
            metrics["samples_per_s_per_process"] = first.N / Math.Max(seconds, 1e-9);
            metrics["function_evaluations"] = first.FunctionEvaluations;
            var json = new Dictionary<string, object?>
            {
                ["run"] = first.Run, ["model"] = first.Model, ["data"] = first.Data, ["n"] = first.N, ["seed"] = first.Seed,
                ["batch"] = first.Batch, ["shards"] = first.Count, ["sampler_label"] = first.SamplerLabel, ["features"] = first.Features,
                ["metrics"] = metrics, ["class_histogram"] = merged.ClassHistogram(), ["evaluated_utc"] = DateTime.UtcNow.ToString("O"),
            };
            AtomicFile.WriteAllText(output, JsonSerializer.Serialize(json, JsonDefaults.Options) + "\n");
            return metrics;
        }
        finally
        {
            foreach (var p in parts) p.Dispose();
        }
    }

    /// <summary>shard.json of one shard folder, or a one-line error.</summary>
    public static ShardManifest ReadManifest(string folder)
    {
        string path = Path.Combine(folder, ShardEvaluation.ManifestFile);
        if (!File.Exists(path))
            throw new ConfigException($"{folder}: no {ShardEvaluation.ManifestFile}; pass folders written by gensharp eval RUN --shard k/n");
        try
        {
            return JsonSerializer.Deserialize<ShardManifest>(File.ReadAllText(path), JsonDefaults.Options)
                ?? throw new ConfigException($"{path}: empty");
        }
        catch (JsonException e)
        {
            throw new ConfigException($"{path}: not a shard manifest ({e.Message.Split('.')[0]})");
        }
    }

    private static ShardManifest Check(IReadOnlyList<ShardManifest> manifests, IReadOnlyList<string> folders)
    {
        var first = manifests[0];
        for (int i = 1; i < manifests.Count; i++)
        {
            var m = manifests[i];
            if (m.Run != first.Run || m.N != first.N || m.Seed != first.Seed || m.Batch != first.Batch || m.Count != first.Count
                || m.SamplerLabel != first.SamplerLabel || m.Features != first.Features)
                throw new ConfigException($"{folders[i]}: shard of another evaluation than {folders[0]} (run, --n, --seed, --batch, sampler, " +
                                          "shard count and features must all agree)");
        }
        var missing = Enumerable.Range(0, first.Count).Except(manifests.Select(m => m.Index)).ToList();
        if (manifests.Select(m => m.Index).Distinct().Count() != manifests.Count)
            throw new ConfigException("a shard index appears twice; pass each shard folder once");
        if (missing.Count > 0)
            throw new ConfigException($"shard(s) {string.Join(", ", missing.Select(k => $"{k}/{first.Count}"))} missing; " +
                                      "run them and pass every shard folder");
        return first;
    }
}
