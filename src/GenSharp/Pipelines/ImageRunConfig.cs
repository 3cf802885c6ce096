using GenSharp.Data;

namespace GenSharp.Pipelines;

/// <summary>
/// What every image run shares, whatever its family (DDPM, NCSN, and the families built on <see cref="ImageRunPipeline{TConfig, TNet}"/>):
/// data, seed, the optimiser and its schedule, EMA, logging and checkpoints, the evaluation during and after training, and what is
/// measured when the run is created. A family's config derives from it and adds its network and process (saved flat in config.json,
/// so configs written before this record existed load unchanged). The defaults are the image DDPM's; a family's constructor sets its own.
/// </summary>
public abstract record ImageRunConfig
{
    /// <summary>The model family tag written to config.json; <c>sample</c> and <c>eval</c> dispatch on it.</summary>
    public string Model { get; init; } = "";

    /// <summary><c>fashion-mnist</c> (optionally <c>fashion-mnist:DIR</c>) or <c>png:DIR</c>.</summary>
    public string Data { get; init; } = "fashion-mnist";

    public long Seed { get; init; }
    public long Steps { get; init; } = 10_000;
    public int Batch { get; init; } = 64;
    public double Lr { get; init; } = 2e-4;
    public long WarmupSteps { get; init; } = 500;
    public string LrDecay { get; init; } = "constant";
    public double WeightDecay { get; init; }
    public double GradClip { get; init; } = 1.0;
    public double EmaDecay { get; init; } = 0.999;

    /// <summary>Random horizontal flips of training images (off by default: Fashion-MNIST items have an orientation).</summary>
    public bool Flip { get; init; }

    public int LogEvery { get; init; } = 50;
    public int CheckpointEvery { get; init; } = 1000;

    /// <summary>Steps between sample grids (a fixed start noise, so grids over training are comparable).</summary>
    public int SampleEvery { get; init; } = 1000;

    /// <summary>Steps between Fréchet-distance evaluations during training (0 = never).</summary>
    public int EvalEvery { get; init; } = 2000;

    /// <summary>Samples per evaluation during training (the final evaluation uses <see cref="FinalEvalSamples"/>).</summary>
    public int EvalSamples { get; init; } = 1000;

    /// <summary>Samples of the evaluation written when training ends (0 = skip).</summary>
    public int FinalEvalSamples { get; init; } = 2000;

    /// <summary>Also write TensorBoard event files under tensorboard/.</summary>
    public bool TensorBoard { get; init; }

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
        if (Batch < 2) throw new ConfigException($"--batch {Batch}: must be at least 2");
        if (!(Lr > 0) || !double.IsFinite(Lr)) throw new ConfigException($"--lr {Lr}: must be a positive number");
        if (!(EmaDecay >= 0 && EmaDecay < 1)) throw new ConfigException($"--ema-decay {EmaDecay}: must be in [0, 1)");
        if (SampleEvery < 1) throw new ConfigException($"--sample-every {SampleEvery}: must be at least 1");
        if (EvalEvery < 0) throw new ConfigException($"--eval-every {EvalEvery}: must be >= 0 (0 = never)");
        if (EvalEvery > 0 && EvalSamples < 10) throw new ConfigException($"--eval-n {EvalSamples}: must be at least 10");
        if (FinalEvalSamples is < 0 or (> 0 and < 10))
            throw new ConfigException($"--final-eval-n {FinalEvalSamples}: must be 0 (skip) or at least 10");
        HeldOut?.Validate();
    }
}
