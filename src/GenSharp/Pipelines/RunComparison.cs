using System.Text.Json;
using GenSharp.Data;
using GenSharp.Evaluation;
using GenSharp.Output;
using GenSharp.Training;
using static TorchSharp.torch;

namespace GenSharp.Pipelines;

/// <summary>What <c>gensharp compare</c> is asked for: every run scored at the same <paramref name="N"/> and <paramref name="Seed"/>.</summary>
public sealed record CompareRequest(int N, long Seed, string Output, bool Quiet = true, int C2stEpochs = 5);

/// <summary>
/// <c>gensharp compare RUN...</c> (docs/evaluation.md#compare): the generative trilemma on one yardstick. Every run draws N samples at one
/// seed with its own sampler, and is scored with the same feature network against the same held-out images: FD and KID beside the floor,
/// precision and recall, the class histogram's entropy and largest share, conditional accuracy where the run is conditional, a classifier
/// two-sample test against held-out real images, samples/s and network evaluations per sample, training CPU-seconds and the sampling
/// network's parameter count. Writes compare.json, compare.html and one sample grid per run; each row is kept as it is scored
/// (<see cref="ComparisonRowCache"/>), so an interrupted compare run again with the same --out scores only the runs still missing.
/// </summary>
public static class RunComparison
{
    /// <summary>The columns of the table, in order (compare.json's keys per run beside <c>run</c>, <c>model</c>, <c>sampler</c>).</summary>
    public static readonly string[] Columns =
    [
        "fd", "fd_floor", "fd_noise", "kid", "kid_floor", "precision", "recall", "class_entropy_nats", "largest_class_fraction",
        "conditional_accuracy", "c2st_accuracy", "samples_per_s", "function_evaluations", "train_cpu_s", "train_wall_s", "parameters",
    ];

    /// <summary>Refuses an output folder that already holds a comparison (nothing on disk is overwritten).</summary>
    public static void CheckOutput(string folder)
    {
        if (File.Exists(Path.Combine(folder, "compare.json")))
            throw new ConfigException($"--out {folder}: already holds compare.json; choose another --out or remove it");
    }

    /// <summary>Scores every run; returns the rows written to compare.json.</summary>
    public static IReadOnlyList<Dictionary<string, object?>> Run(IReadOnlyList<string> runDirs, CompareRequest request, Device device,
        TextWriter log)
    {
        if (runDirs.Count == 0) throw new ConfigException("compare: name at least one run directory");
        if (request.N < 20 || request.N > 10_000) throw new ConfigException($"--n {request.N}: must be between 20 and 10000");
        CheckOutput(request.Output);
        Directory.CreateDirectory(request.Output);
        var runs = runDirs.Select(RunDirectory.Open).ToList();
        var names = UniqueNames(runs);
        var rows = new List<Dictionary<string, object?>>();
        for (int i = 0; i < runs.Count; i++)
        {
            string key = ComparisonRowCache.Key(runs[i], request);
            var kept = ComparisonRowCache.TryRead(request, names[i], key);
            if (!request.Quiet)
            {
                string before = kept is null ? "" : $", scored before (rows/{names[i]}.json)";
                log.WriteLine($"compare: {names[i]} ({i + 1} of {runs.Count}){before}");
            }
            var row = kept ?? Score(runs[i], names[i], request, device);
            if (kept is null) ComparisonRowCache.Write(request, names[i], key, row);
            rows.Add(row);
        }
        var json = new Dictionary<string, object?>
        {
            ["n"] = request.N, ["seed"] = request.Seed, ["features"] = FeatureClassifierConfig.Version, ["columns"] = Columns, ["runs"] = rows,
            ["pareto_front"] = ComparisonReport.ParetoFront(rows).Select(k => names[k]).ToList(),
            ["compared_utc"] = DateTime.UtcNow.ToString("O"),
        };
        AtomicFile.WriteAllText(Path.Combine(request.Output, "compare.json"), JsonSerializer.Serialize(json, JsonDefaults.Options) + "\n");
        ComparisonReport.Write(request, rows);
        return rows;
    }

    private static Dictionary<string, object?> Score(RunDirectory run, string name, CompareRequest request, Device device)
    {
        string kind = RunConfigFile.ReadKind(run);
        var source = Registry.Recipe(kind) as IImageRunSource
            ?? throw new ConfigException($"{run.Root}: a {kind} run; compare takes image runs (DDPM, NCSN, GAN, VAE on images)");
        using var scope = NewDisposeScope();
        using var handle = source.Open(run, null, device);
        var drawn = BatchedSampling.Draw(handle.Sampler, request.N, request.Seed, device, request.Quiet, batch: handle.Batch);
        var samples = drawn.Samples.cpu();
        var conditionedOn = drawn.Labels?.cpu();                                                        // the class of each sample, or null
        foreach (var t in drawn.Trajectory.Values) t.Dispose();
        ImageGrid.Save(samples.narrow(0, 0, Math.Min(64, request.N)), Path.Combine(request.Output, $"{name}-grid.png"), columns: 8, scale: 2);

        using var extractor = ShardEvaluation.LoadExtractor(handle.Data, samples);
        using var held = RunImages.HeldOut(handle.Data, handle.HeldOut);
        using var real = held.Images.narrow(0, 0, Math.Min(request.N, held.Count));
        long work = request.N + SampleScoring.Work(request.N) + ClassifierTwoSampleTest.Work(request.N, real.shape[0], request.C2stEpochs);
        using var progress = ScoringProgress.Start($"scoring {name}: features, FD/KID/precision/recall, floor, two-sample test", work,
            request.Quiet);
        var (features, logits) = extractor.Extract(samples, progress: progress);
        using var stats = FeatureStatistics.Of(features, logits);
        var notes = new StringWriter();
        var metrics = SampleScoring.Score(extractor, handle.Data, handle.HeldOut, request.N, request.Seed, stats, features, logits, notes,
            progress);
        var c2st = ClassifierTwoSampleTest.Run(samples, real, request.Seed, request.C2stEpochs, device, progress);

        var row = new Dictionary<string, object?> { ["run"] = name, ["path"] = run.Root, ["model"] = kind, ["sampler"] = handle.Sampler.Label };
        foreach (string column in Columns) row[column] = metrics.GetValueOrDefault(column);
        row["conditional_accuracy"] = conditionedOn is null ? null : ConditionalAccuracy(logits, conditionedOn);
        row["c2st_accuracy"] = c2st.Accuracy;
        row["c2st_standard_error"] = c2st.StandardError;
        row["samples_per_s"] = request.N / Math.Max(drawn.Seconds, 1e-9);
        row["function_evaluations"] = drawn.FunctionEvaluations;
        row["train_cpu_s"] = Last(run, "cpu_time_s");
        row["train_wall_s"] = Last(run, "wall_time_s");
        row["parameters"] = handle.Parameters;
        row["grid"] = $"{name}-grid.png";
        if (notes.ToString().Length > 0) row["notes"] = notes.ToString().Trim();
        return row;
    }

    /// <summary>The fraction of samples the feature classifier assigns to the class they were conditioned on.</summary>
    public static double ConditionalAccuracy(Tensor logits, Tensor labels)
    {
        using var scope = NewDisposeScope();
        return logits.argmax(1).eq(labels.to(logits.device)).to_type(ScalarType.Float64).mean().item<double>();
    }

    private static double? Last(RunDirectory run, string field)
    {
        var values = run.Metrics.Series(field).Values;
        return values.Length == 0 ? null : values[^1];
    }

    private static List<string> UniqueNames(IReadOnlyList<RunDirectory> runs)
    {
        var names = new List<string>();
        foreach (var r in runs)
        {
            string name = r.Name;
            for (int k = 2; names.Contains(name); k++) name = $"{r.Name}-{k}";
            names.Add(name);
        }
        return names;
    }
}
