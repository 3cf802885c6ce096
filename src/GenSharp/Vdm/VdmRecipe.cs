using GenSharp.Data;
using GenSharp.Output;
using GenSharp.Pipelines;
using GenSharp.Training;
using static TorchSharp.torch;

namespace GenSharp.Vdm;

/// <summary>
/// Variational diffusion models on images (Kingma et al. 2021; docs/vdm.md) on the image-run pipeline: the reference U-Net as
/// eps_hat(z_t; gamma_t) with a fixed or learned log-SNR schedule in one module (<see cref="VdmNetwork"/>), trained on the whole bound in
/// bits/dim with the continuous-time diffusion loss (<see cref="VdmImageLoss"/>), sampled by T ancestral steps in SNR form
/// (<see cref="VdmAncestralSampler"/>), and with <c>eval --bpd N</c> the bound on held-out images term by term, L_T beside L_inf and the
/// estimator's variance (<see cref="VdmBitsPerDim"/>). Everything else is <see cref="ImageRunPipeline{TConfig, TNet}"/>'s.
/// </summary>
public sealed class VdmRecipe : IImageFamily<VdmConfig, VdmNetwork>
{
    public string Kind => VdmConfig.Kind;
    public string Verb => "vdm";

    public ImageRunText Text => new("VDM",
        "A variational diffusion model (Kingma et al. 2021, docs/vdm.md) on images: the reference U-Net \"ddpm-unet\" (docs/unet.md) predicts " +
        "the noise from z_t and the log-SNR gamma_t; the schedule gamma(t) is fixed (linear, cosine) or a learned monotone network; the loss " +
        "is the whole variational bound in bits/dim with the diffusion term in continuous time at low-discrepancy times, with AdamW and " +
        "EMA weights. Samples come from the EMA weights by ancestral sampling in SNR form. Image metrics are computed in the feature space of " +
        "GenSharp's own Fashion-MNIST classifier, beside the real-vs-real floor and a noise ceiling of the run's own data.",
        "Training loss: the variational bound (bits/dim, one-sample estimate)", "bound (bits/dim)", "Loss per step, smoothed");

    public ImageDataset LoadTrain(VdmConfig config, Device? device) =>
        RunImages.Train(config.Training.Data, config.HeldOut, PixelRange.MinusOneToOne, config.TrainLimit, device);

    public VdmConfig Complete(VdmConfig config, ImageDataset train) =>
        config with { Network = config.Network with { InChannels = train.Channels, Height = train.Height, Width = train.Width } };

    public string? Describe(VdmConfig config) =>
        $"VDM: {config.Schedule.Kind} log-SNR schedule from gamma_0 = {config.Schedule.Gamma0:G4} to gamma_1 = {config.Schedule.Gamma1:G4}" +
        (config.Schedule.LearnEndpoints ? " (endpoints learned)" : "") +
        (config.FourierFeatures ? $"; Fourier features k = {string.Join(", ", FourierFeatures.Exponents)} of the input" : "") +
        $"; samples by {config.SamplingSteps} ancestral steps";

    public VdmNetwork CreateNetwork(VdmConfig config) => new(config.Network, config.Schedule, config.FourierFeatures);

    public IImageLoss CreateLoss(VdmConfig config, VdmNetwork model, Device device) => new VdmImageLoss(model, config.Schedule.VarianceGradient);

    public IImageSampler CreateSampler(VdmConfig config, VdmNetwork network, Device device, SamplingChoice? choice = null)
    {
        if (choice?.Langevin is not null) throw new ConfigException("--T/--eps/--levels-used/--no-denoise apply to NCSN runs; a VDM samples " +
            "by ancestral steps (--steps)");
        (choice?.Guidance ?? new Diffusion.Conditioning.GuidanceChoice()).RefuseIfUnconditional(null, "this VDM run");
        int steps = config.SamplingSteps;
        if (choice?.Diffusion is { } spec)
        {
            if (spec.Name != VdmAncestralSampler.Name)
                throw new ConfigException($"--sampler {spec.Name}: a VDM run samples only with {VdmAncestralSampler.Name}, its ancestral " +
                    "sampler in SNR form; set its steps with --steps (docs/vdm.md#sampling)");
            steps = spec.Steps ?? steps;
            VdmConfig.CheckSteps(steps, "--steps");
        }
        return new VdmAncestralSampler(network, steps, device);
    }

    public string SamplerLabel(VdmConfig config) => $"{VdmAncestralSampler.Name}-{config.SamplingSteps}";

    public void CheckEvaluation(EvalRequest request) { }

    /// <summary>With <c>--bpd N</c>: the bound in bits/dim on N held-out images, each term, L_T beside L_inf and the estimator's variance.</summary>
    public void ExtendEvaluation(RunDirectory run, VdmConfig config, VdmNetwork network, EvalRequest request, Device device,
        ImageEvaluationResult evaluation)
    {
        if (request.BitsPerDimImages <= 0) return;
        using var reference = RunImages.HeldOut(config.Training.Data, config.HeldOut, device: device);
        int m = Math.Min(request.BitsPerDimImages, reference.Count);
        using var scope = NewDisposeScope();
        var bound = VdmBitsPerDim.Compute(network, config.Schedule.Kind, reference.Images.narrow(0, 0, m), request.Seed, request.Quiet);
        evaluation.Metrics["bits_per_dim"] = bound.Total.Mean;
        evaluation.Metrics["bpd_diffusion"] = bound.Diffusion.Mean;
        evaluation.Metrics["bpd_prior"] = bound.Prior.Mean;
        evaluation.Metrics["bpd_reconstruction"] = bound.Reconstruction.Mean;
        foreach (var (T, estimate) in bound.DiscreteDiffusion) evaluation.Metrics[$"bpd_diffusion_L{T}"] = estimate.Mean;
        evaluation.Metrics["loss_variance"] = bound.Variance;
        evaluation.Metrics["loss_variance_linear"] = bound.LinearVariance;
        evaluation.Json["bits_per_dim"] = bound.ToJson();
        evaluation.Json["bits_per_dim_images"] = m;
    }

    public bool FiguresWithoutEvaluation => true;

    public void WriteFigures(RunDirectory run, VdmConfig config, VdmNetwork network, IImageSampler sampler, Device device, bool quiet) =>
        VdmReport.WriteSchedulePlot(run, config.Schedule.Kind, network.Schedule);

    public IEnumerable<(string Key, string Value)> EvaluationRows(ImageEvaluationResult evaluation) => VdmReport.Rows(evaluation);

    public void AddReportSections(HtmlReport html, RunDirectory run, VdmConfig config) => VdmReport.AddSections(html, run);
}
