using GenSharp.Data;
using GenSharp.Diffusion.Conditioning;
using GenSharp.Diffusion.Samplers;
using GenSharp.Evaluation;
using GenSharp.Nn;
using GenSharp.Pipelines;
using GenSharp.Training;
using static TorchSharp.torch;

namespace GenSharp.Diffusion.Images;

/// <summary>
/// The evaluation of a class-conditional image DDPM (docs/evaluation.md#conditional-generation): for each guidance weight w, n / K samples
/// of every class k (all from the same start noise, so rows and weights are comparable), scored by the committed feature classifier:
/// conditional accuracy (the fraction it assigns to the requested class, beside its own accuracy on the held-out real images, the
/// ceiling), the FD of each class against that class's held-out images, and the overall FD, precision and recall against the held-out set.
/// </summary>
public static class ConditionalImageEvaluation
{
    /// <summary>Sample images per class kept for the class-by-row grids.</summary>
    public const int GridColumns = 8;

    /// <summary>The conditioning of a new run with the class names of its training data (a one-line error when the data have none).</summary>
    public static ConditioningConfig? WithClasses(ConditioningConfig? conditioning, string data, ImageDataset train)
    {
        if (conditioning is null) return null;
        if (conditioning.Kind != ConditioningConfig.Class)
            throw new ConfigException($"--condition {conditioning.Kind}: image runs condition on classes; use --condition class");
        if (train.Labels is null || train.ClassNames.Count < 2)
            throw new ConfigException($"--condition class: {data} has no class labels; use fashion-mnist or png:DIR with one sub-folder per class");
        return (conditioning with { ClassNames = [.. train.ClassNames] }).Validate();
    }

    /// <summary>One guidance weight's results.</summary>
    public sealed record Row(double Guidance, double? ConditionalAccuracy, double Fd, double Precision, double Recall, double[] PerClassFd,
        double[] PerClassAccuracy, int SamplesPerClass, double SamplingSeconds);

    /// <summary>Adds conditional accuracy, per-class FD and the guidance sweep to <paramref name="evaluation"/>, and draws the figures.</summary>
    public static void Extend(RunDirectory run, ImageDdpmConfig config, UNet network, EvalRequest request, Device device,
        ImageEvaluationResult evaluation)
    {
        var spec = (request.Sampler ?? config.Sampler).Validate(config.Schedule.Timesteps);
        using var diffusion = new GaussianDiffusion(new NoiseSchedule(config.Schedule, device));
        Extend(run, config, config.Conditioning!, spec.Label,
            guided => new DdpmImageSampler(network, diffusion, spec, device, ownsDiffusion: false, guided), request, device, evaluation);
    }

    /// <summary>
    /// The same for any family whose sampler takes a <see cref="GuidedSampling"/> (<paramref name="samplerFor"/>: a fresh sampler of images
    /// in [-1, 1] for one guidance weight and class, e.g. latent diffusion's decoded sampler), scored against <paramref name="config"/>'s
    /// held-out images; <paramref name="samplerLabel"/> names it in eval.json.
    /// </summary>
    public static void Extend(RunDirectory run, ImageRunConfig config, ConditioningConfig conditioning, string samplerLabel,
        Func<GuidedSampling, IImageSampler> samplerFor, EvalRequest request, Device device, ImageEvaluationResult evaluation)
    {
        var choice = request.Guidance ?? new GuidanceChoice();
        double main = choice.Guidance ?? conditioning.Guidance;
        var weights = (choice.Sweep ?? []).Append(main).Distinct().ToArray();
        var notes = new StringWriter();
        using var extractor = FeatureExtractor.TryLoadFor(config.Training.Data, config.ImageShape, notes);
        using var reference = RunImages.HeldOut(config.Training.Data, config.HeldOut);
        double rescale = choice.Rescale ?? 0;
        evaluation.Json["guidance"] = main;
        evaluation.Json["guidance_rescale"] = rescale;
        evaluation.Json["classes"] = conditioning.ClassNames;
        if (extractor is null || reference.Labels is null)
        {
            evaluation.Json["conditional_notes"] = (notes.ToString().Trim() + " held-out labels missing: no conditional metrics").Trim();
            return;
        }
        // the classifier knows Fashion-MNIST's ten classes only: its accuracy means something for runs on Fashion-MNIST
        bool classifierClasses = DataSpec.Parse(config.Training.Data) is DataSpec.FashionMnistFiles;
        using var scope = NewDisposeScope();
        var (realFeatures, realLogits) = extractor.Extract(reference.Images);
        double? realAccuracy = classifierClasses ? Accuracy(realLogits, reference.Labels.cpu()) : null;
        int k = conditioning.Classes, perClass = Math.Max(2, (request.N + k - 1) / k);
        var rows = new List<Row>();
        var grids = new List<(double W, Tensor Images)>();
        foreach (double w in weights)
        {
            var (row, grid) = Score(samplerFor, conditioning, w, rescale, perClass, request, device, extractor, realFeatures,
                reference.Labels.cpu(), classifierClasses);
            rows.Add(row);
            grids.Add((w, grid));
        }
        var mainRow = rows.Single(r => r.Guidance == main);
        evaluation.Metrics["conditional_accuracy"] = mainRow.ConditionalAccuracy;
        evaluation.Metrics["classifier_real_accuracy"] = realAccuracy;
        evaluation.Metrics["conditional_fd"] = mainRow.Fd;
        evaluation.Json["conditional"] = new Dictionary<string, object?>
        {
            ["samples_per_class"] = perClass,
            ["sampler"] = samplerLabel,
            ["classifier_real_accuracy"] = realAccuracy,
            ["per_class_fd"] = conditioning.ClassNames.Zip(mainRow.PerClassFd).ToDictionary(p => p.First, p => p.Second),
            ["per_class_accuracy"] = classifierClasses
                ? conditioning.ClassNames.Zip(mainRow.PerClassAccuracy).ToDictionary(p => p.First, p => (double?)p.Second) : null,
        };
        if (choice.Sweep is not null)
            evaluation.Json["guidance_sweep"] = rows.Where(r => choice.Sweep.Contains(r.Guidance)).Select(r => new Dictionary<string, object?>
            {
                ["guidance"] = r.Guidance, ["fd"] = r.Fd, ["conditional_accuracy"] = r.ConditionalAccuracy, ["precision"] = r.Precision,
                ["recall"] = r.Recall, ["sampling_s"] = r.SamplingSeconds,
            }).ToList();
        ConditionalImageFigures.Write(run, conditioning, rows, grids, mainRow, realAccuracy);
    }

    private static (Row Row, Tensor Grid) Score(Func<GuidedSampling, IImageSampler> samplerFor, ConditioningConfig conditioning, double w,
        double rescale, int perClass, EvalRequest request, Device device, FeatureExtractor extractor, Tensor realFeatures, Tensor realLabels,
        bool classifierClasses)
    {
        int k = conditioning.Classes;
        var features = new List<Tensor>();
        var logits = new List<Tensor>();
        var grid = new List<Tensor>();
        var perClassFd = new double[k];
        var perClassAccuracy = new double[k];
        double seconds = 0;
        for (int c = 0; c < k; c++)
        {
            using var sampler = samplerFor(new GuidedSampling(k, conditioning.NullLabel, w, c, rescale));
            var drawn = BatchedSampling.Draw(sampler, perClass, request.Seed, device, request.Quiet);
            seconds += drawn.Seconds;
            var samples = drawn.Samples.cpu();
            grid.Add(samples.narrow(0, 0, Math.Min(GridColumns, perClass)));
            var (f, l) = extractor.Extract(samples);
            features.Add(f);
            logits.Add(l);
            var ofClass = realFeatures.index_select(0, nonzero(realLabels == c).flatten());
            perClassFd[c] = ofClass.shape[0] >= 2 ? FrechetDistance.Compute(ofClass, f) : double.NaN;
            if (classifierClasses) perClassAccuracy[c] = Accuracy(l, full([perClass], (long)c, dtype: ScalarType.Int64));
        }
        var all = cat(features, 0);
        int n = (int)Math.Min(all.shape[0], realFeatures.shape[0]);
        var overall = ImageMetrics.FromFeatures(extractor.Version, realFeatures.narrow(0, 0, n), all, cat(logits, 0), request.Seed);
        double? accuracy = classifierClasses ? perClassAccuracy.Average() : null;
        var row = new Row(w, accuracy, overall.FrechetDistance, overall.Precision, overall.Recall, perClassFd, perClassAccuracy, perClass, seconds);
        return (row, cat(grid, 0));
    }

    /// <summary>The evaluation table's row of a class-conditional run: conditional accuracy beside the classifier's own (none otherwise).</summary>
    public static IEnumerable<(string Key, string Value)> Rows(ImageEvaluationResult evaluation)
    {
        if (evaluation.Metrics.TryGetValue("conditional_accuracy", out var acc) && acc is not null)
            yield return ("conditional accuracy", $"{acc:F3} at w = {evaluation.Json["guidance"]} (the classifier on held-out real images: " +
                $"{evaluation.Metrics.GetValueOrDefault("classifier_real_accuracy"):F3})");
    }

    /// <summary>The fraction of rows whose largest logit is the label.</summary>
    public static double Accuracy(Tensor logits, Tensor labels)
    {
        using var scope = NewDisposeScope();
        return (logits.argmax(1) == labels).to_type(ScalarType.Float64).mean().item<double>();
    }
}
