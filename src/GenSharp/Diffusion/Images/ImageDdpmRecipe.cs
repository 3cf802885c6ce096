using GenSharp.Data;
using GenSharp.Diffusion.Conditioning;
using GenSharp.Diffusion.Samplers;
using GenSharp.Nn;
using GenSharp.Output;
using GenSharp.Pipelines;
using GenSharp.Training;
using static TorchSharp.torch;

namespace GenSharp.Diffusion.Images;

/// <summary>
/// DDPM on images (docs/ddpm.md, docs/samplers.md, docs/unet.md, docs/evaluation.md) on the image-run pipeline: the reference U-Net trained with
/// L_simple (<see cref="DdpmImageLoss"/>), sampled with any registered sampler (<see cref="DdpmImageSampler"/>: DDPM, DDIM,
/// DPM-Solver++), the variational bound in bits/dim on request, and the course's figures. Everything else (AdamW, EMA,
/// grids, the FD curve beside its floor, eval.json, the report shell) is <see cref="ImageRunPipeline{TConfig, TNet}"/>'s.
/// </summary>
public sealed class ImageDdpmRecipe : IImageFamily<ImageDdpmConfig, UNet>
{
    /// <summary>Images per sampler call (memory stays bounded for any --n).</summary>
    public const int SamplingBatch = BatchedSampling.DefaultBatch;

    public string Kind => ImageDdpmConfig.Kind;
    public string Verb => "ddpm";

    public ImageRunText Text => new("DDPM",
        "A denoising diffusion model (docs/ddpm.md) on images: the reference U-Net \"ddpm-unet\" (docs/unet.md) predicts the noise, " +
        "trained with L_simple, AdamW and EMA weights; samples come from the EMA weights. Image metrics are computed in the feature space " +
        "of GenSharp's own Fashion-MNIST classifier, always beside the real-vs-real floor and a noise ceiling of the run's own data.",
        "Training loss L_simple", "L_simple", "Loss per step (log scale), smoothed");

    /// <summary>Fills in what a fresh run measures once: image shape, data hash, held-out split, environment.</summary>
    public static ImageDdpmConfig Resolve(ImageDdpmConfig config, Device device) =>
        ImageRunPipeline<ImageDdpmConfig, UNet>.Resolve(new ImageDdpmRecipe(), config, device);

    /// <summary>Trains (or resumes) the run, then evaluates it and writes the report.</summary>
    public static EvalOutcome? Train(ImageDdpmConfig config, RunDirectory run, Device device, bool resume, bool quiet, TextWriter? log = null) =>
        ImageRunPipeline<ImageDdpmConfig, UNet>.Train(new ImageDdpmRecipe(), config, run, device, resume, quiet, log);

    public ImageDataset LoadTrain(ImageDdpmConfig config, Device? device)
    {
        var train = RunImages.Train(config.Training.Data, config.HeldOut, device: device);
        return config.Conditioning?.Kind == ConditioningConfig.Text && config.Network.Text is not null
            ? TextConditioning.Labelled(train, config.Network.Text.Tokens) : train;
    }

    public ImageDdpmConfig Complete(ImageDdpmConfig config, ImageDataset train)
    {
        config = config with { Network = config.Network with { InChannels = train.Channels, Height = train.Height, Width = train.Width } };
        if (config.Conditioning?.Kind == ConditioningConfig.Text && config.Flip)
            throw new ConfigException("--flip: a mirrored CAPTCHA no longer shows its string; leave --flip out with --condition text");
        return config.Conditioning?.Kind == ConditioningConfig.Text
            ? config with { Network = TextConditioning.Network(config.Network, config.Training.Data, train) }
            : config with { Conditioning = ConditionalImageEvaluation.WithClasses(config.Conditioning, config.Training.Data, train) };
    }

    public string? Describe(ImageDdpmConfig config) => null;

    public UNet CreateNetwork(ImageDdpmConfig config) => new(config.Network, config.Conditioning?.Classes ?? 0);

    public IImageLoss CreateLoss(ImageDdpmConfig config, UNet model, Device device) => new DdpmImageLoss(config, model, device);

    public IImageSampler CreateSampler(ImageDdpmConfig config, UNet network, Device device, SamplingChoice? choice = null)
    {
        var spec = (choice?.Diffusion ?? config.Sampler).Validate(config.Schedule.Timesteps);
        var guidance = choice?.Guidance ?? new GuidanceChoice();
        guidance.RefuseIfUnconditional(config.Conditioning, "this run");
        return new DdpmImageSampler(network, new GaussianDiffusion(new NoiseSchedule(config.Schedule, device)), spec, device, ownsDiffusion: true,
            config.Conditioning is { } c ? guidance.Resolve(c, network.Tokens) : null, config.Objective);
    }

    public string SamplerLabel(ImageDdpmConfig config) => config.Sampler.Label;

    public IReadOnlyList<IImageSampler> CurveSamplers(ImageDdpmConfig config, UNet network, Device device) =>
        config.EvalSamplers.Where(s => s.Label != config.Sampler.Label)
            .Select(s => (IImageSampler)new DdpmImageSampler(network, new GaussianDiffusion(new NoiseSchedule(config.Schedule, device)),
                s.Validate(config.Schedule.Timesteps), device, ownsDiffusion: true, objective: config.Objective))
            .ToList();

    public void CheckEvaluation(EvalRequest request) { }


    /// <summary>With <c>--bpd N</c>: the variational bound in bits/dim on N held-out images.</summary>
    public void ExtendEvaluation(RunDirectory run, ImageDdpmConfig config, UNet network, EvalRequest request, Device device,
        ImageEvaluationResult evaluation)
    {
        if (config.Conditioning?.Kind == ConditioningConfig.Text)
            TextImageEvaluation.Extend(run, config, network, request, device, evaluation);
        else if (config.Conditioning is not null)
            ConditionalImageEvaluation.Extend(run, config, network, request, device, evaluation);
        if (request.BitsPerDimImages <= 0) return;
        using var diffusion = new GaussianDiffusion(new NoiseSchedule(config.Schedule, device));
        using var reference = RunImages.HeldOut(config.Training.Data, config.HeldOut, device: device);
        int m = Math.Min(request.BitsPerDimImages, reference.Count);
        using var scope = NewDisposeScope();
        var bound = ImageDdpmBitsPerDim.Compute(network, diffusion, reference.Images.narrow(0, 0, m), request.Seed, request.Quiet,
            Path.Combine(run.PlotsDir, "vlb-terms.png"), objective: config.Objective);
        evaluation.Metrics["bits_per_dim"] = bound.BitsPerDim;
        evaluation.Json["bits_per_dim"] = bound.ToJson();
        evaluation.Json["bits_per_dim_images"] = m;
    }

    public bool FiguresWithoutEvaluation => false;

    public void WriteFigures(RunDirectory run, ImageDdpmConfig config, UNet network, IImageSampler sampler, Device device, bool quiet)
    {
        using var diffusion = new GaussianDiffusion(new NoiseSchedule(config.Schedule, device));
        ImageDdpmFigures.WriteAll(run, config, network, diffusion, device, quiet);
    }

    public IEnumerable<(string Key, string Value)> EvaluationRows(ImageEvaluationResult evaluation)
    {
        if (evaluation.Metrics.TryGetValue("bits_per_dim", out var bpd) && bpd is not null)
            yield return ("variational bound", $"{bpd:F3} bits/dim on {evaluation.Json["bits_per_dim_images"]} held-out images");
        if (evaluation.Metrics.TryGetValue("ocr_string_accuracy_unseen", out var unseen) && unseen is not null)
            yield return ("OCR accuracy", $"unseen strings {unseen:F3} (characters {evaluation.Metrics["ocr_char_accuracy_unseen"]:F3}), " +
                $"seen {evaluation.Metrics["ocr_string_accuracy"]:F3} (characters {evaluation.Metrics["ocr_char_accuracy"]:F3}) " +
                $"at w = {evaluation.Json["guidance"]}");
        foreach (var row in ConditionalImageEvaluation.Rows(evaluation)) yield return row;
    }

    public void AddReportSections(HtmlReport html, RunDirectory run, ImageDdpmConfig config)
    {
        if (config.Conditioning?.Kind == ConditioningConfig.Text) TextImageReport.AddSections(html, run);
        else if (config.Conditioning is not null) ConditionalImageReport.AddSections(html, run);
        ImageDdpmReport.AddSections(html, run);
    }

    /// <summary>
    /// Samples <paramref name="n"/> images with <paramref name="spec"/> in batches of <see cref="SamplingBatch"/>,
    /// all from one generator seeded with <paramref name="seed"/> (so a seed fixes every start noise).
    /// </summary>
    public static SamplerResult Draw(UNet model, GaussianDiffusion diffusion, SamplerSpec spec, int n, long seed, Device device,
        bool quiet, SamplingObserver? observer = null, int batch = SamplingBatch, DdpmObjective? objective = null)
    {
        // a conditional U-Net draws conditional samples (w = 1) of uniformly random classes or strings here (a text U-Net's null
        // condition is padding, 0, which its Classes is)
        using var sampler = new DdpmImageSampler(model, diffusion, spec, device, ownsDiffusion: false,
            model.IsConditional ? new GuidedSampling(model.Classes, model.Classes, 1.0, null, 0, model.Tokens) : null, objective);
        return BatchedSampling.Draw(sampler, n, seed, device, quiet, observer, batch);
    }
}
