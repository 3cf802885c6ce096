using GenSharp.Data;
using GenSharp.Output;
using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Pipelines;

/// <summary>
/// What an image model family supplies to <see cref="ImageRunPipeline{TConfig, TNet}"/>, which does everything else once (creating,
/// resuming and extending runs, config.json, EMA, the evaluation curve, sample grids, batched sampling, eval.json, report.html):
/// its network, its loss, how it samples, its figures and report sections. Implementing this interface makes the family an
/// <see cref="IRunRecipe"/>; registering it is one line in <see cref="Registry"/>.
/// </summary>
public interface IImageFamily<TConfig, TNet> : IRunRecipe, IImageRunSource
    where TConfig : ImageRunConfig
    where TNet : nn.Module
{
    /// <summary>The <c>train</c> sub-command that creates such runs (named in messages).</summary>
    string Verb { get; }

    /// <summary>The words of the report.</summary>
    ImageRunText Text { get; }

    /// <summary>The training images in the family's data range (<see cref="RunImages.Train"/> with the family's range and limits).</summary>
    ImageDataset LoadTrain(TConfig config, Device? device);

    /// <summary>
    /// The (C, H, W) the network trains on: the images' shape (most families), or an autoencoder's latent shape (latent diffusion, whose
    /// <see cref="LoadTrain"/> returns the encoded training set).
    /// </summary>
    int[] TrainingShape(TConfig config) => config.ImageShape;

    /// <summary>Fills in what the family measures when a run is created (network input shape, noise levels, ...).</summary>
    TConfig Complete(TConfig config, ImageDataset train);

    /// <summary>One line printed when training starts, or null.</summary>
    string? Describe(TConfig config);

    /// <summary>A fresh network (the model, its EMA copy, and the network loaded from checkpoints).</summary>
    TNet CreateNetwork(TConfig config);

    /// <summary>The training objective of <paramref name="model"/>.</summary>
    IImageLoss CreateLoss(TConfig config, TNet model, Device device);

    /// <summary>
    /// The sampler of <paramref name="network"/>: the run's own, or the one <paramref name="choice"/> asks for (refused with a clear line if
    /// the family cannot honour it).
    /// </summary>
    IImageSampler CreateSampler(TConfig config, TNet network, Device device, SamplingChoice? choice = null);

    /// <summary>
    /// Further samplers whose FD the evaluation curve during training measures beside the run's own (none for most families; the image
    /// DDPM's <c>--eval-samplers</c>). The caller disposes them.
    /// </summary>
    IReadOnlyList<IImageSampler> CurveSamplers(TConfig config, TNet network, Device device) => [];

    /// <summary>The label of the run's own sampler (grids and the FD curve during training), e.g. <c>ddim-50-eta0</c>.</summary>
    string SamplerLabel(TConfig config);

    /// <summary>Refuses evaluation options the family cannot honour.</summary>
    void CheckEvaluation(EvalRequest request);

    /// <summary>Adds family-specific numbers to a final evaluation (e.g. a likelihood bound); nothing for most families.</summary>
    void ExtendEvaluation(RunDirectory run, TConfig config, TNet network, EvalRequest request, Device device, ImageEvaluationResult evaluation);

    /// <summary>Whether the figures are drawn when training ends without a final evaluation (<c>--final-eval-n 0</c>).</summary>
    bool FiguresWithoutEvaluation { get; }

    /// <summary>The family's figures under plots/.</summary>
    void WriteFigures(RunDirectory run, TConfig config, TNet network, IImageSampler sampler, Device device, bool quiet);

    /// <summary>Rows the family adds to the evaluation's key-value table (after samples and sampler).</summary>
    IEnumerable<(string Key, string Value)> EvaluationRows(ImageEvaluationResult evaluation);

    /// <summary>The family's own report sections (its figures), between the evaluation and the training curves.</summary>
    void AddReportSections(HtmlReport html, RunDirectory run, TConfig config);

    SampleOutcome IRunRecipe.Sample(RunDirectory run, SampleRequest request, Device device) =>
        ImageRunPipeline<TConfig, TNet>.Sample(this, run, request, device);

    EvalOutcome IRunRecipe.Evaluate(RunDirectory run, EvalRequest request, Device device) =>
        ImageRunPipeline<TConfig, TNet>.Evaluate(this, run, request, device);

    ImageRunHandle IImageRunSource.Open(RunDirectory run, SamplingChoice? choice, Device device) =>
        ImageRunPipeline<TConfig, TNet>.Open(this, run, choice, device);
}

/// <summary>A sampler requested on the command line for <c>sample</c> or <c>eval</c> (null fields: the run's own).</summary>
public sealed record SamplingChoice(Diffusion.Samplers.SamplerSpec? Diffusion, Score.Samplers.AnnealedLangevinOverrides? Langevin,
    Diffusion.Conditioning.GuidanceChoice? Guidance = null);
