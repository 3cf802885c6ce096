using GenSharp.Data;
using GenSharp.Diffusion.Samplers;
using GenSharp.Evaluation;
using GenSharp.Nn;
using GenSharp.Output;
using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Diffusion.Images;

/// <summary>One evaluation of an image DDPM: what eval.json holds and the report shows.</summary>
public sealed record ImageDdpmEvaluationResult(
    Dictionary<string, object?> Json,
    Dictionary<string, double?> Metrics,
    string SampleGrid,
    ImageMetricsReport? Model,
    ImageMetricsReport? Floor,
    ImageMetricsReport? Ceiling,
    IReadOnlyList<string> ClassNames);

/// <summary>
/// Scores an image DDPM (SPEC §7): n samples from the EMA weights with a chosen sampler, against n held-out
/// images, in the feature space of the committed Fashion-MNIST classifier, beside the real-vs-real floor
/// (n training vs n test images) and the noise ceiling; optionally the variational bound in bits/dim.
/// </summary>
public static class ImageDdpmEvaluation
{
    /// <summary>The committed feature network, or null (with a one-line notice) when it cannot score this data.</summary>
    public static FeatureExtractor? TryLoadExtractor(ImageDdpmConfig config, TextWriter log) => TryLoadExtractor(config.Data, config.ImageShape, log);

    /// <summary>The same for any image run: its <c>--data</c> and image shape (C, H, W).</summary>
    public static FeatureExtractor? TryLoadExtractor(string data, int[] imageShape, TextWriter log)
    {
        if (imageShape is not [1, 28, 28])
        {
            log.WriteLine($"note: Fréchet distance needs 28x28 grey images (the {FeatureClassifierConfig.Version} feature network); {data} is {string.Join("x", imageShape)}, so FD is skipped");
            return null;
        }
        try
        {
            return FeatureExtractor.Load();
        }
        catch (DataFileException e)
        {
            log.WriteLine($"note: {e.Message}; FD is skipped");
            return null;
        }
    }

    /// <summary>Features of <paramref name="n"/> held-out images and the FD floor (n random training images vs them).</summary>
    public static (Tensor Features, double Floor) ReferenceFeatures(FeatureExtractor extractor, ImageDdpmConfig config, int n, long seed) =>
        ReferenceFeatures(extractor, config.Data, n, seed);

    /// <summary>The same for any image run's <c>--data</c> (images in [-1, 1], as the feature network expects).</summary>
    public static (Tensor Features, double Floor) ReferenceFeatures(FeatureExtractor extractor, string data, int n, long seed)
    {
        using var reference = ImageDdpmData.Reference(data);
        using var train = ImageDdpmData.Train(data);
        if (n > reference.Count) throw new ConfigException($"--eval-n {n}: the held-out set has only {reference.Count} images");
        using var scope = NewDisposeScope();
        var (real, _) = extractor.Extract(reference.Images.narrow(0, 0, n));
        double floor = ReferenceBaselines.FdFloor(extractor, train.Images, real, n, seed);
        return (real.MoveToOuterDisposeScope(), floor);
    }

    public static ImageDdpmEvaluationResult Run(RunDirectory run, ImageDdpmConfig config, UNet model, GaussianDiffusion diffusion,
        SamplerSpec spec, EvalRequest request, Device device)
    {
        using var scope = NewDisposeScope();
        var drawn = ImageDdpmRecipe.Draw(model, diffusion, spec, request.N, request.Seed, device, request.Quiet);
        var samples = drawn.Samples.cpu();
        string grid = Path.Combine(run.SamplesDir, $"eval-{spec.Label}.png");
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
            ["sampler"] = spec,
            ["sampler_label"] = spec.Label,
        };

        ImageMetricsReport? modelReport = null, floor = null, ceiling = null;
        var notes = new StringWriter();
        using var extractor = TryLoadExtractor(config, notes);
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

        if (request.BitsPerDimImages > 0)
        {
            using var reference = ImageDdpmData.Reference(config.Data, device);
            int m = Math.Min(request.BitsPerDimImages, reference.Count);
            var bound = ImageDdpmBitsPerDim.Compute(model, diffusion, reference.Images.narrow(0, 0, m), request.Seed, request.Quiet, Path.Combine(run.PlotsDir, "vlb-terms.png"));
            metrics["bits_per_dim"] = bound.BitsPerDim;
            json["bits_per_dim"] = bound.ToJson();
            json["bits_per_dim_images"] = m;
        }
        json["metrics"] = metrics;
        json["evaluated_utc"] = DateTime.UtcNow.ToString("O");
        drawn.Samples.Dispose();
        return new ImageDdpmEvaluationResult(json, metrics, grid, modelReport, floor, ceiling, classNames);
    }
}
