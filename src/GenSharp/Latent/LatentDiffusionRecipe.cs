using GenSharp.Data;
using GenSharp.Diffusion;
using GenSharp.Diffusion.Conditioning;
using GenSharp.Diffusion.Images;
using GenSharp.Diffusion.Samplers;
using GenSharp.Evaluation;
using GenSharp.Nn;
using GenSharp.Output;
using GenSharp.Pipelines;
using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Latent;

/// <summary>
/// Latent diffusion (Rombach et al. 2022; docs/latent-diffusion.md) on the image-run pipeline: the training set is encoded once by a VAE's
/// posterior mean and scaled to unit variance (<see cref="LatentAutoencoder"/>), the reference U-Net code learns L_simple on those latents
/// (<see cref="DdpmImageLoss"/>), any registered sampler draws latents (<see cref="DdpmImageSampler"/>) that the decoder turns into images
/// (<see cref="DecodedSampler"/>); FD and the other scores are in pixel space, beside the autoencoder's reconstruction FD (the LDM's own
/// floor). A class-conditional run (<c>--condition class</c>) is the pixel DDPM's conditioning on latents: the latents keep their images'
/// labels, the U-Net its label embedding, sampling its classifier-free guidance, and eval its conditional evaluation
/// (<see cref="ConditionalImageEvaluation"/>) on decoded images. Everything else is <see cref="ImageRunPipeline{TConfig, TNet}"/>'s.
/// </summary>
public sealed class LatentDiffusionRecipe : IImageFamily<LatentDiffusionConfig, UNet>
{
    public string Kind => LatentDiffusionConfig.Kind;
    public string Verb => "ldm";

    public ImageRunText Text => new("Latent diffusion",
        "A latent diffusion model (docs/latent-diffusion.md): a VAE's encoder maps each training image once to the posterior mean of its " +
        "C x 7 x 7 latent, scaled to unit variance; the reference U-Net code (one level at 7x7) predicts the noise of those latents, trained " +
        "with L_simple, AdamW and EMA weights; samples are drawn in latent space and decoded. Image metrics are computed on the decoded " +
        "images in the feature space of GenSharp's Fashion-MNIST classifier, beside the real-vs-real floor, the noise ceiling and the " +
        "autoencoder's reconstruction FD.",
        "Training loss L_simple (latents)", "L_simple", "Loss per step on the scaled latents (log scale), smoothed");

    /// <summary>Fills in what a fresh run measures once: the encoded training set's scale factor and shape, data hash, environment.</summary>
    public static LatentDiffusionConfig Resolve(LatentDiffusionConfig config, Device device) =>
        ImageRunPipeline<LatentDiffusionConfig, UNet>.Resolve(new LatentDiffusionRecipe(), config, device);

    /// <summary>Trains (or resumes) the run, then evaluates it and writes the report.</summary>
    public static EvalOutcome? Train(LatentDiffusionConfig config, RunDirectory run, Device device, bool resume, bool quiet,
        TextWriter? log = null) =>
        ImageRunPipeline<LatentDiffusionConfig, UNet>.Train(new LatentDiffusionRecipe(), config, run, device, resume, quiet, log);

    /// <summary>The autoencoder of a run, with its scale factor (1 before the run has measured one).</summary>
    public static LatentAutoencoder Autoencoder(LatentDiffusionConfig config, Device device) =>
        new((config.Autoencoder ?? throw new ConfigException("config.json has no autoencoder; create the run with --autoencoder RUN"))
            .Load(device), config.ScaleFactor > 0 ? config.ScaleFactor : 1);

    /// <summary>The training set encoded once (scaled latents, cached in memory for the session; unscaled before f is measured).</summary>
    public ImageDataset LoadTrain(LatentDiffusionConfig config, Device? device)
    {
        using var images = RunImages.Train(config.Training.Data, config.HeldOut, limit: config.TrainLimit);
        if (images.Channels != 1 || images.Height != 28 || images.Width != 28)
            throw new ConfigException($"--data {config.Training.Data}: images are {images.Channels}x{images.Height}x{images.Width}; the VAE " +
                "autoencoder encodes 1x28x28 images");
        using var autoencoder = Autoencoder(config, CPU);
        using var latents = autoencoder.EncodeAll(images);
        return device is null || device.type == DeviceType.CPU
            ? new ImageDataset(latents.Name, latents.Images.clone(), latents.Labels?.clone(), latents.ClassNames, latents.Range, latents.ContentHash)
            : new ImageDataset(latents.Name, latents.Images.to(device), latents.Labels?.to(device), latents.ClassNames, latents.Range,
                latents.ContentHash);
    }

    public int[] TrainingShape(LatentDiffusionConfig config) => config.LatentShape;

    /// <summary>At creation <paramref name="train"/> holds the unscaled latents: f = 1 / their std; the U-Net is set to their shape.</summary>
    public LatentDiffusionConfig Complete(LatentDiffusionConfig config, ImageDataset train) =>
        config with
        {
            ScaleFactor = LatentAutoencoder.MeasureScale(train.Images),
            LatentShape = [train.Channels, train.Height, train.Width],
            ImageShape = [1, 28, 28],
            Network = config.Network with { InChannels = train.Channels, Height = train.Height, Width = train.Width },
            Conditioning = ConditionalImageEvaluation.WithClasses(config.Conditioning, config.Training.Data, train), // the images' labels
        };

    public string? Describe(LatentDiffusionConfig config) =>
        $"latent diffusion on {string.Join("x", config.LatentShape)} latents of {config.Autoencoder?.Run} (scale factor {config.ScaleFactor:G6})" +
        (config.Conditioning is { } c ? $", conditioned on {c.Classes} classes (p_uncond {c.PUncond:G3})" : "");

    public UNet CreateNetwork(LatentDiffusionConfig config) => new(config.Network, config.Conditioning?.Classes ?? 0);

    public IImageLoss CreateLoss(LatentDiffusionConfig config, UNet model, Device device) =>
        new DdpmImageLoss(config.Schedule, TrainingPrecision.Fp32, config.Conditioning, model, device);

    public IImageSampler CreateSampler(LatentDiffusionConfig config, UNet network, Device device, SamplingChoice? choice = null)
    {
        var latent = LatentSampler(config, network, device, choice);
        try
        {
            return new DecodedSampler(latent, Autoencoder(config, device));
        }
        catch
        {
            latent.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The sampler of latents (before decoding): the chosen diffusion sampler, never clipping, over the U-Net or, for a class-conditional
    /// run, over its classifier-free guided prediction at the chosen weight and class (<see cref="GuidanceChoice"/>, refused with one line
    /// on an unconditional run).
    /// </summary>
    internal static DdpmImageSampler LatentSampler(LatentDiffusionConfig config, UNet network, Device device, SamplingChoice? choice = null)
    {
        var guidance = choice?.Guidance ?? new GuidanceChoice();
        guidance.RefuseIfUnconditional(config.Conditioning, "this latent-diffusion run", ConditioningConfig.Class);
        var guided = config.Conditioning is { } c ? guidance.Resolve(c) : null;
        var spec = LatentSpec(config, choice?.Diffusion);
        return new DdpmImageSampler(network, new GaussianDiffusion(new NoiseSchedule(config.Schedule, device)), spec, device, ownsDiffusion: true,
            guided);
    }

    /// <summary>The sampler asked for (or the run's own) without clipping the predicted x_0: latents are not bounded to [-1, 1].</summary>
    private static SamplerSpec LatentSpec(LatentDiffusionConfig config, SamplerSpec? asked) =>
        ((asked ?? config.Sampler) with { ClipX0 = false }).Validate(config.Schedule.Timesteps);

    public string SamplerLabel(LatentDiffusionConfig config) => config.Sampler.Label;

    public void CheckEvaluation(EvalRequest request) { }

    /// <summary>
    /// The autoencoder's reconstruction FD: the first n held-out images encoded and decoded, against the same n images, in the same feature
    /// space as the samples' FD (the LDM cannot do better than its decoder; docs/latent-diffusion.md#floor). A class-conditional run also
    /// gets the pixel DDPM's conditional evaluation (conditional accuracy, per-class FD, <c>--guidance-sweep</c>) on decoded samples.
    /// </summary>
    public void ExtendEvaluation(RunDirectory run, LatentDiffusionConfig config, UNet network, EvalRequest request, Device device,
        ImageEvaluationResult evaluation)
    {
        using var autoencoder = Autoencoder(config, device);
        if (config.Conditioning is { } conditioning)
        {
            var spec = LatentSpec(config, request.Sampler);
            using var diffusion = new GaussianDiffusion(new NoiseSchedule(config.Schedule, device));
            ConditionalImageEvaluation.Extend(run, config, conditioning, spec.Label, guided => new DecodedSampler(
                new DdpmImageSampler(network, diffusion, spec, device, ownsDiffusion: false, guided), autoencoder, ownsAutoencoder: false),
                request, device, evaluation);
        }
        using var extractor = FeatureExtractor.TryLoadFor(config.Training.Data, config.ImageShape, TextWriter.Null);
        if (extractor is null) return;
        using var scope = NewDisposeScope();
        using var held = RunImages.HeldOut(config.Training.Data, config.HeldOut, device: device);
        var real = held.Images.narrow(0, 0, Math.Min(request.N, held.Count));
        var reconstructed = autoencoder.Decode(autoencoder.Encode(real));
        var report = ImageMetrics.Compute(extractor, real.cpu(), reconstructed.cpu(), request.Seed);
        evaluation.Metrics["autoencoder_reconstruction_fd"] = report.FrechetDistance;
        evaluation.Json["scale_factor"] = config.ScaleFactor;
        evaluation.Json["autoencoder"] = config.Autoencoder;
    }

    public bool FiguresWithoutEvaluation => false;

    /// <summary>The family draws no figures of its own: the pipeline's grids, loss and FD curves are its report.</summary>
    public void WriteFigures(RunDirectory run, LatentDiffusionConfig config, UNet network, IImageSampler sampler, Device device, bool quiet) { }

    public IEnumerable<(string Key, string Value)> EvaluationRows(ImageEvaluationResult evaluation)
    {
        if (evaluation.Metrics.TryGetValue("autoencoder_reconstruction_fd", out var fd) && fd is not null)
            yield return ("autoencoder reconstruction FD", $"{fd:F3} (held-out images encoded and decoded: the floor of this LDM's FD)");
        if (evaluation.Json.TryGetValue("scale_factor", out var f)) yield return ("latent scale factor", $"{f:G6}");
        foreach (var row in ConditionalImageEvaluation.Rows(evaluation)) yield return row;
    }

    public void AddReportSections(HtmlReport html, RunDirectory run, LatentDiffusionConfig config)
    {
        if (config.Conditioning is not null) ConditionalImageReport.AddSections(html, run);
    }
}
