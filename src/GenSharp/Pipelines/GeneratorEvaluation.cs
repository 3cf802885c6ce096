using System.Text;
using System.Text.Json;
using GenSharp.Evaluation;
using GenSharp.Training;
using static TorchSharp.torch;

namespace GenSharp.Pipelines;

/// <summary>One final evaluation of a GAN or VAE run; owns the samples.</summary>
public sealed record GeneratorEvaluationResult(Dictionary<string, double?> Metrics, Tensor Samples, ImageMetricsReport? Scores,
    ReferenceBaselines.Result? Baselines, string? Skipped, string? Features) : IDisposable
{
    /// <summary>The first clause of <see cref="Skipped"/>, for a report line.</summary>
    public string? SkippedReason => Skipped?.Split(';')[0];

    public void Dispose() => Samples.Dispose();
}

/// <summary>
/// The final evaluation of the Fashion-MNIST families whose sampler is one network call (GAN, VAE): n samples from one seed,
/// FD, KID, precision/recall, classifier score and the predicted-class histogram beside the floor and ceiling at the same n
/// (<see cref="ImageQualityProbe"/>, hence <see cref="ReferenceBaselines"/>), and eval.json.
/// </summary>
public static class GeneratorEvaluation
{
    /// <summary>Refuses an n the test set cannot score.</summary>
    public static void CheckSize(EvalRequest request)
    {
        if (request.N < 100 || request.N > 10_000)
            throw new ConfigException($"--n {request.N}: must be between 100 and 10000 (the test set's size)");
    }

    /// <summary>
    /// Draws <paramref name="request"/>.N images, adds <c>samples_per_s</c>, <c>train_wall_time_s</c> and the scores to
    /// <paramref name="metrics"/> (after the family's own), and plots the class histogram to <paramref name="classHistogramPng"/>.
    /// </summary>
    public static GeneratorEvaluationResult Run(RunDirectory run, string? dataDir, EvalRequest request, IImageSampler sampler,
        Dictionary<string, double?> metrics, string classHistogramPng, Device device, int batch)
    {
        var drawn = BatchedSampling.Draw(sampler, request.N, request.Seed, device, quiet: true, batch: batch);
        metrics["samples_per_s"] = request.N / Math.Max(drawn.Seconds, 1e-9);
        metrics["train_wall_time_s"] = run.Metrics.Series("wall_time_s").Values.LastOrDefault();
        try
        {
            using var probe = ImageQualityProbe.TryCreate(request.N, dataDir, device, out string? skipped);
            if (probe is null) return new GeneratorEvaluationResult(metrics, drawn.Samples, null, null, skipped, null);
            var (scores, baselines) = probe.ScoreWithBaselines(drawn.Samples, request.Seed, metrics, classHistogramPng);
            return new GeneratorEvaluationResult(metrics, drawn.Samples, scores, baselines, null, probe.Version);
        }
        catch
        {
            drawn.Samples.Dispose();
            throw;
        }
    }

    /// <summary>Writes eval.json: run, model, n, seed, the family's <paramref name="fields"/>, features, metrics, class histogram.</summary>
    public static void WriteEvalJson(RunDirectory run, string model, EvalRequest request, GeneratorEvaluationResult result,
        IEnumerable<(string Key, object? Value)> fields)
    {
        var json = new Dictionary<string, object?> { ["run"] = run.Name, ["model"] = model, ["n"] = request.N, ["seed"] = request.Seed };
        foreach (var (key, value) in fields) json[key] = value;
        json["features"] = result.Features;
        json["metrics_skipped"] = result.Skipped;
        json["metrics"] = result.Metrics;
        json["class_histogram"] = result.Scores?.ClassHistogram;
        json["evaluated_utc"] = DateTime.UtcNow.ToString("O");
        AtomicFile.Write(run.EvalPath, s => s.Write(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(json, JsonDefaults.Options) + "\n")));
    }
}
