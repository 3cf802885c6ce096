using GenSharp.Data;
using GenSharp.Training;

namespace GenSharp.Pipelines;

/// <summary>
/// What every image run shares, whatever its family (DDPM, NCSN, and the families built on <see cref="ImageRunPipeline{TConfig, TNet}"/>):
/// data, seed, the optimiser and its schedule, EMA, logging and checkpoints, the evaluation during and after training, and what is
/// measured when the run is created. A family's config derives from it and adds its network and process (config.json keeps the shared
/// settings in its <c>training</c> object; <see cref="RunConfigMigration"/> reads older, flat ones). The defaults are the image
/// DDPM's; a family's constructor sets its own.
/// </summary>
public abstract record ImageRunConfig
{
    /// <summary>The model family tag written to config.json; <c>sample</c> and <c>eval</c> dispatch on it.</summary>
    public string Model { get; init; } = "";

    /// <summary>
    /// What every family shares (data, seed, length, optimiser, EMA, the cadence of logs, checkpoints, grids and evaluations);
    /// the defaults are the image DDPM's: <c>fashion-mnist</c> (or <c>png:DIR</c>), 10,000 steps of batch 64, AdamW 2e-4 with
    /// 500 warm-up steps, EMA 0.999, gradient clip 1.0.
    /// </summary>
    public TrainingSettings Training { get; init; } = new();

    /// <summary>Random horizontal flips of training images (off by default: Fashion-MNIST items have an orientation).</summary>
    public bool Flip { get; init; }

    /// <summary>Image shape (C, H, W), measured from the data.</summary>
    public int[] ImageShape { get; init; } = [];

    /// <summary>SHA-256 of the training images and labels.</summary>
    public string DataHash { get; init; } = "";

    /// <summary>
    /// The images held out of a <c>png:DIR</c> folder for evaluation and the floor (null for Fashion-MNIST, whose test split is
    /// held out, and for PNG runs created before GenSharp held images out: those report no floor).
    /// </summary>
    public HeldOutSplit? HeldOut { get; init; }

    /// <summary>Environment recorded at creation: versions, device, threads.</summary>
    public Dictionary<string, string> Environment { get; init; } = [];

    /// <summary>Checks the whole configuration (a family checks its own fields after <see cref="ValidateShared"/>); returns this.</summary>
    public abstract ImageRunConfig Validate();

    /// <summary>Checks the shared settings (a family's <c>Validate</c> calls it, then checks its own).</summary>
    protected void ValidateShared()
    {
        Training.Validate();
        if (Training.Epochs > 0) throw new ConfigException($"--epochs {Training.Epochs}: image runs count optimiser steps; use --steps");
        if (Training.EvalEvery > 0 && Training.EvalSamples < 10) throw new ConfigException($"--eval-n {Training.EvalSamples}: must be at least 10");
        HeldOut?.Validate();
    }
}
