using GenSharp.Diffusion.Images;
using GenSharp.Evaluation;
using GenSharp.Nn;
using GenSharp.Output;
using GenSharp.Score.Samplers;
using GenSharp.Training;
using static TorchSharp.torch;

namespace GenSharp.Score.Images;

/// <summary>One evaluation of an image NCSN: what eval.json holds and the report shows.</summary>
public sealed record ImageNcsnEvaluationResult(
    Dictionary<string, object?> Json,
    Dictionary<string, double?> Metrics,
    string SampleGrid,
    ImageMetricsReport? Model,
    ImageMetricsReport? Floor,
    ImageMetricsReport? Ceiling,
    IReadOnlyList<string> ClassNames);

/// <summary>
/// Scores an image NCSN (SPEC §7) exactly as the image DDPM is scored: n annealed-Langevin samples from the EMA
/// weights, mapped to [-1, 1], against n held-out images in the feature space of the committed Fashion-MNIST
/// classifier, beside the real-vs-real floor (n training vs n test images) and the noise ceiling.
/// </summary>
public static class ImageNcsnEvaluation
{
    public static ImageNcsnEvaluationResult Run(RunDirectory run, ImageNcsnConfig config, UNetScoreNetwork model, AnnealedLangevinConfig langevin,
        EvalRequest request, Device device)
    {
        using var scope = NewDisposeScope();
        var drawn = ImageNcsnRecipe.Draw(model, langevin, request.N, request.Seed, device, request.Quiet);
        var samples = drawn.Samples.cpu();
        string label = ImageNcsnRecipe.Label(langevin);
        string grid = Path.Combine(run.SamplesDir, $"eval-{label}.png");
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
            ["data"] = config.Data,
            ["n"] = request.N,
            ["seed"] = request.Seed,
            ["sampler_label"] = label,
            ["sampler"] = new Dictionary<string, object?>
            {
                ["name"] = "annealed-langevin",
                ["levels_used"] = langevin.Sigmas.Length,
                ["steps_per_level"] = langevin.StepsPerLevel,
                ["eps"] = langevin.Eps,
                ["final_denoise"] = langevin.FinalDenoise,
                ["sigma_1"] = langevin.Sigmas[0],
                ["sigma_L"] = langevin.Sigmas[^1],
                ["variance_ratio"] = Ncsnv2Techniques.VarianceRatio(langevin.Eps, langevin.StepsPerLevel, NoiseLevels.Ratio(langevin.Sigmas), langevin.Sigmas[^1]),
            },
        };

        ImageMetricsReport? modelReport = null, floor = null, ceiling = null;
        var notes = new StringWriter();
        using var extractor = ImageDdpmEvaluation.TryLoadExtractor(config.Data, config.ImageShape, notes);
        IReadOnlyList<string> classNames = [];
        if (extractor is not null)
        {
            using var reference = ImageDdpmData.Reference(config.Data);
            classNames = reference.ClassNames;
            int n = Math.Min(request.N, reference.Count);
            modelReport = ImageMetrics.Compute(extractor, reference.Images.narrow(0, 0, n), samples, request.Seed);
            var baselines = ReferenceBaselines.Compute(extractor, n, request.Seed,
                config.Data.StartsWith("fashion-mnist:", StringComparison.Ordinal) ? config.Data["fashion-mnist:".Length..] : null);
            (floor, ceiling) = (baselines.RealVsReal, baselines.NoiseVsReal);
            foreach (var (k, v) in modelReport.ToDictionary()) metrics[k] = v;
            BaselineTable.AddBaselineMetrics(metrics, floor, ceiling);
            json["features"] = extractor.Version;
            json["n_reference"] = n;
            json["class_histogram"] = modelReport.ClassHistogram;
        }
        if (notes.ToString().Length > 0) json["notes"] = notes.ToString().Trim();
        json["metrics"] = metrics;
        json["evaluated_utc"] = DateTime.UtcNow.ToString("O");
        drawn.Samples.Dispose();
        foreach (var t in drawn.Trajectory.Values) t.Dispose();
        return new ImageNcsnEvaluationResult(json, metrics, grid, modelReport, floor, ceiling, classNames);
    }
}
