using GenSharp.Data;
using GenSharp.Evaluation;
using GenSharp.Output;
using GenSharp.Training;
using static TorchSharp.torch;

namespace GenSharp.Pipelines;

/// <summary>One final evaluation of an image run: what eval.json holds and the report shows.</summary>
/// <param name="FloorUnavailable">Why the run's data give no floor at this n (then <see cref="Floor"/> and <see cref="Ceiling"/> are null).</param>
public sealed record ImageEvaluationResult(
    Dictionary<string, object?> Json,
    Dictionary<string, double?> Metrics,
    string SampleGrid,
    ImageMetricsReport? Model,
    ImageMetricsReport? Floor,
    ImageMetricsReport? Ceiling,
    string? FloorUnavailable,
    IReadOnlyList<string> ClassNames);

/// <summary>
/// Scores an image run (docs/evaluation.md): n samples from the EMA weights against n held-out images of the run's own data, in the feature
/// space of the committed Fashion-MNIST classifier, beside the real-vs-real floor and the noise ceiling at the same n
/// (<see cref="ReferenceBaselines"/>), or with the reason there is none.
/// </summary>
public static class ImageRunEvaluation
{
    public static ImageEvaluationResult Run(RunDirectory run, ImageRunConfig config, IImageSampler sampler, EvalRequest request, Device device)
    {
        using var scope = NewDisposeScope();
        var drawn = BatchedSampling.Draw(sampler, request.N, request.Seed, device, request.Quiet);
        var samples = drawn.Samples.cpu();
        string grid = Path.Combine(run.SamplesDir, $"eval-{sampler.Label}.png");
        ImageGrid.Save(samples.narrow(0, 0, Math.Min(request.N, 100)), grid, columns: 10, scale: 2);

        var metrics = new Dictionary<string, double?>
        {
            ["samples_per_s"] = request.N / Math.Max(drawn.Seconds, 1e-9),
            ["sampling_s"] = drawn.Seconds,
            ["function_evaluations"] = drawn.FunctionEvaluations,
        };
        var json = new Dictionary<string, object?>
        {
            ["run"] = run.Name,
            ["model"] = config.Model,
            ["data"] = config.Training.Data,
            ["n"] = request.N,
            ["seed"] = request.Seed,
            ["sampler"] = sampler.Settings,
            ["sampler_label"] = sampler.Label,
        };

        ImageMetricsReport? modelReport = null, floor = null, ceiling = null;
        string? unavailable = null;
        var notes = new StringWriter();
        using var extractor = FeatureExtractor.TryLoadFor(config.Training.Data, config.ImageShape, notes);
        IReadOnlyList<string> classNames = [];
        if (extractor is not null)
        {
            using var reference = RunImages.HeldOut(config.Training.Data, config.HeldOut);
            classNames = reference.ClassNames;
            int n = Math.Min(request.N, reference.Count);
            if (n < 10)
            {
                notes.WriteLine($"note: {config.Training.Data} holds out only {reference.Count} images; image metrics need at least 10, " +
                    "so they are skipped");
            }
            else
            {
                using var train = RunImages.Train(config.Training.Data, config.HeldOut);
                unavailable = ReferenceBaselines.Unavailable(config.Training.Data, config.HeldOut, train.Count, reference.Count, request.N);
                long work = ScoringProgress.Work(n, request.N) + (unavailable is null ? 2 * ScoringProgress.Work(n, n) : 0);
                using var progress = ScoringProgress.Start($"scoring {request.N} samples" + (unavailable is null ? ", floor and ceiling" : ""),
                    work, request.Quiet);
                modelReport = ImageMetrics.Compute(extractor, reference.Images.narrow(0, 0, n), samples, request.Seed, progress);
                foreach (var (k, v) in modelReport.ToDictionary()) metrics[k] = v;
                if (unavailable is null)
                {
                    var baselines = ReferenceBaselines.Compute(extractor, train.Images, reference.Images, n, request.Seed, progress);
                    (floor, ceiling) = (baselines.RealVsReal, baselines.NoiseVsReal);
                    BaselineTable.AddBaselineMetrics(metrics, floor, ceiling);
                }
                json["features"] = extractor.Version;
                json["n_reference"] = n;
                if (unavailable is not null) json["floor_unavailable"] = unavailable;
                json["class_histogram"] = modelReport.ClassHistogram;
            }
        }
        if (notes.ToString().Length > 0) json["notes"] = notes.ToString().Trim();
        drawn.Samples.Dispose();
        foreach (var t in drawn.Trajectory.Values) t.Dispose();
        return new ImageEvaluationResult(json, metrics, grid, modelReport, floor, ceiling, unavailable, classNames);
    }
}
