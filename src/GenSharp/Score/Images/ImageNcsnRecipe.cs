using GenSharp.Data;
using GenSharp.Diffusion.Samplers;
using GenSharp.Nn;
using GenSharp.Output;
using GenSharp.Pipelines;
using GenSharp.Score.Samplers;
using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Score.Images;

/// <summary>
/// NCSNv2 on images (docs/score-models.md#ncsn-images, docs/evaluation.md) on the image-run pipeline: the reference U-Net as
/// s_theta(x, sigma) = u(x, 250 ln sigma) / sigma,
/// trained by denoising score matching with weight sigma^2 at one random level per example (<see cref="NcsnImageLoss"/>), on pixels
/// in [0, 1]; noise levels by NCSNv2's techniques 1 and 2 when the run is created; sampled by annealed Langevin dynamics with the
/// final denoising step (<see cref="NcsnImageSampler"/>); its own figures. Everything else is <see cref="ImageRunPipeline{TConfig, TNet}"/>'s.
/// </summary>
public sealed class ImageNcsnRecipe : IImageFamily<ImageNcsnConfig, UNetScoreNetwork>
{
    /// <summary>Images per sampler call (memory stays bounded for any --n).</summary>
    public const int SamplingBatch = BatchedSampling.DefaultBatch;

    public string Kind => ImageNcsnConfig.Kind;
    public string Verb => "ncsn";

    public ImageRunText Text => new("NCSNv2",
        "A noise-conditional score network (NCSNv2, docs/score-models.md#ncsn-images) on images: the reference U-Net \"ddpm-unet\" (docs/unet.md) " +
        "with the noise level fed to its time embedding as 250 ln(sigma) and its output divided by sigma, s(x, sigma) = u(x, sigma) / sigma, " +
        "trained by denoising score matching (or sliced score matching, --loss ssm|ssm-vr) with weight sigma^2 at one random level per " +
        "example, AdamW and EMA weights; pixels in [0, 1] as in " +
        "NCSNv2. Samples come from the EMA weights by annealed Langevin dynamics (NCSN Algorithm 1) with the final denoising step. Image metrics " +
        "are computed in the feature space of GenSharp's own Fashion-MNIST classifier on samples mapped to [-1, 1], always beside the " +
        "real-vs-real floor and a noise ceiling of the run's own data.",
        "Score matching loss (weight sigma^2; the run's objective is in its configuration)", "loss",
        "Loss per step, smoothed. DSM cannot reach 0 (its minimum is the conditional variance of the noise given x~); sliced score " +
        "matching equals the explicit objective minus an unknown constant, so it is negative at a good fit");

    /// <summary>
    /// Fills in what a fresh run measures once: image shape, data hash, held-out split, environment, and the noise levels by
    /// NCSNv2's techniques 1 (sigma_1) and 2 (gamma, hence L) unless given.
    /// </summary>
    public static ImageNcsnConfig Resolve(ImageNcsnConfig config, Device device) =>
        ImageRunPipeline<ImageNcsnConfig, UNetScoreNetwork>.Resolve(new ImageNcsnRecipe(), config, device);

    /// <summary>Trains (or resumes) the run, then evaluates it and writes the report.</summary>
    public static EvalOutcome? Train(ImageNcsnConfig config, RunDirectory run, Device device, bool resume, bool quiet, TextWriter? log = null) =>
        ImageRunPipeline<ImageNcsnConfig, UNetScoreNetwork>.Train(new ImageNcsnRecipe(), config, run, device, resume, quiet, log);

    public ImageDataset LoadTrain(ImageNcsnConfig config, Device? device) =>
        RunImages.Train(config.Training.Data, config.HeldOut, PixelRange.ZeroToOne, config.TrainLimit, device);

    public ImageNcsnConfig Complete(ImageNcsnConfig config, ImageDataset data)
    {
        int dimension = data.Channels * data.Height * data.Width;
        var noise = config.Noise;
        double sigma1;
        string source;
        if (noise.Sigma1 is double given)
        {
            (sigma1, source) = (given, "given (--sigma1)");
        }
        else
        {
            int m = Math.Min(noise.Sigma1Images, data.Count);
            using var scope = NewDisposeScope();
            using var g = new Generator((ulong)config.Training.Seed + 29, CPU);
            var subset = m == data.Count ? data.Images : data.Images.index_select(0, randperm(data.Count, generator: g).narrow(0, 0, m));
            var estimate = Ncsnv2Techniques.MaxPairwiseDistance(subset, config.Training.Seed);
            sigma1 = estimate.Value;
            source = estimate.Exact
                ? $"technique 1: the largest pairwise distance of {m} training images (exact)"
                : $"technique 1: the largest pairwise distance of {m} random training images (double-sweep lower bound; upper bound " +
                $"{estimate.UpperBound:F3})";
        }
        var plan = Ncsnv2Plan.Make(dimension, sigma1, noise.SigmaL, config.Sampling.StepsPerLevel, noise.Overlap, noise.Levels);
        return config with
        {
            Network = config.Network with { InChannels = data.Channels, Height = data.Height, Width = data.Width },
            Noise = noise with { Sigma1 = sigma1, Levels = plan.Levels, Sigma1Source = source, GammaRoot = plan.GammaRoot },
        };
    }

    /// <summary>One line describing the noise plan and the sampler, printed when training starts.</summary>
    public static string Describe(ImageNcsnConfig config)
    {
        var sigmas = config.Noise.Sigmas();
        var langevin = config.Sampling.Build(sigmas);
        return $"NCSNv2 plan: sigma_1 {sigmas[0]:G4} -> sigma_L {sigmas[^1]:G4}, L = {sigmas.Length}, gamma {NoiseLevels.Ratio(sigmas):F4}; " +
               $"annealed Langevin over {langevin.Sigmas.Length} levels x T = {langevin.StepsPerLevel}, eps {langevin.Eps:G4}, " +
               $"{langevin.FunctionEvaluations} network evaluations per sample; objective {config.Objective.Loss}" +
               (config.Objective.Loss == Losses.DenoisingScoreMatching.RegistryName ? "" : $" ({config.Objective.Projections} projection(s))");
    }

    string? IImageFamily<ImageNcsnConfig, UNetScoreNetwork>.Describe(ImageNcsnConfig config) => Describe(config);

    public UNetScoreNetwork CreateNetwork(ImageNcsnConfig config) => new(config.Network);

    public IImageLoss CreateLoss(ImageNcsnConfig config, UNetScoreNetwork model, Device device) => new NcsnImageLoss(config, model, device);

    public IImageSampler CreateSampler(ImageNcsnConfig config, UNetScoreNetwork network, Device device, SamplingChoice? choice = null)
    {
        RefuseDiffusionSampler(choice?.Diffusion);
        return new NcsnImageSampler(network, config.Sampling.With(choice?.Langevin).Build(config.Noise.Sigmas()), device);
    }

    public string SamplerLabel(ImageNcsnConfig config) => Label(config.Sampling.Build(config.Noise.Sigmas()));

    public void CheckEvaluation(EvalRequest request)
    {
        RefuseDiffusionSampler(request.Sampler);
        if (request.BitsPerDimImages > 0) throw new ConfigException("--bpd: bits/dim is the DDPM's variational bound; an NCSN has no likelihood " +
            "bound");
    }

    public void ExtendEvaluation(RunDirectory run, ImageNcsnConfig config, UNetScoreNetwork network, EvalRequest request, Device device,
        ImageEvaluationResult evaluation) { }

    public bool FiguresWithoutEvaluation => true;

    public void WriteFigures(RunDirectory run, ImageNcsnConfig config, UNetScoreNetwork network, IImageSampler sampler, Device device, bool quiet) =>
        ImageNcsnFigures.WriteAll(run, config, network, ((NcsnImageSampler)sampler).Langevin, device, quiet);

    public IEnumerable<(string Key, string Value)> EvaluationRows(ImageEvaluationResult evaluation) => [];

    public void AddReportSections(HtmlReport html, RunDirectory run, ImageNcsnConfig config) => ImageNcsnReport.AddSections(html, run, config);

    /// <summary>A short name of an annealed-Langevin setting, e.g. <c>langevin-L101-T5</c>.</summary>
    public static string Label(AnnealedLangevinConfig langevin) =>
        $"langevin-L{langevin.Sigmas.Length}-T{langevin.StepsPerLevel}" + (langevin.FinalDenoise ? "" : "-nodenoise");

    /// <summary>
    /// Samples <paramref name="n"/> images by annealed Langevin dynamics from uniform noise in [0, 1], in batches of
    /// <paramref name="batch"/>, all from one generator seeded with <paramref name="seed"/>. Samples are returned in
    /// GenSharp's image range [-1, 1]; the recorded trajectory (first batch only) stays in the data space [0, 1].
    /// </summary>
    public static SamplerResult Draw(UNetScoreNetwork model, AnnealedLangevinConfig langevin, int n, long seed, Device device,
        bool quiet, SamplingObserver? observer = null, int batch = SamplingBatch)
    {
        using var sampler = new NcsnImageSampler(model, langevin, device);
        return BatchedSampling.Draw(sampler, n, seed, device, quiet, observer, batch);
    }

    private static void RefuseDiffusionSampler(SamplerSpec? spec)
    {
        if (spec is not null)
            throw new ConfigException("--sampler/--steps/--eta/--spacing/--variance apply to DDPM runs; an NCSN run samples by annealed Langevin " +
                "dynamics (--T, --eps, --levels-used, --no-denoise)");
    }
}
