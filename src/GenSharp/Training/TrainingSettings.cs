namespace GenSharp.Training;

/// <summary>
/// The settings every model family shares, saved as the <c>training</c> object of a run's config.json and bound to the
/// command-line options of every <c>train</c> verb once (<c>TrainingCliOptions</c> in the CLI): the data, the seed, how long
/// to train (steps, or epochs for the epoch-based GAN and VAE), the optimiser and its learning-rate schedule, EMA, the
/// cadence of logs, checkpoints, sample grids and evaluations, and an optional wall-time budget. A family keeps only what
/// is its own (network, noise process, sampler) beside it. The defaults are the image DDPM's; each family's config
/// record sets its own (docs/README.md lists the families).
/// </summary>
public sealed record TrainingSettings
{
    /// <summary>Training data: <c>fashion-mnist[:DIR]</c>, <c>png:DIR</c> or <c>toy:NAME|FILE.json</c> (docs/data.md).</summary>
    public string Data { get; init; } = "fashion-mnist";

    /// <summary>Seed of initialisation, data order and noise.</summary>
    public long Seed { get; init; }

    /// <summary>Optimiser steps (step-based families); 0 for an epoch-based family, whose length is <see cref="Epochs"/>.</summary>
    public long Steps { get; init; } = 10_000;

    /// <summary>Passes over the training set (epoch-based families: GAN, VAE); 0 for a step-based family.</summary>
    public int Epochs { get; init; }

    public int Batch { get; init; } = 64;
    public double Lr { get; init; } = 2e-4;

    /// <summary>Linear learning-rate warm-up steps (the command line caps its default at a tenth of the run).</summary>
    public long WarmupSteps { get; init; } = 500;

    /// <summary><c>constant</c> or <c>cosine</c> after warm-up (<see cref="LearningRateSchedule"/>).</summary>
    public string LrDecay { get; init; } = "constant";

    public double WeightDecay { get; init; }

    /// <summary>Global gradient-norm clip (0 = off).</summary>
    public double GradClip { get; init; } = 1.0;

    /// <summary>Decay of the exponential moving average of the weights used for sampling (0 = off where a family allows it).</summary>
    public double EmaDecay { get; init; } = 0.999;

    public int LogEvery { get; init; } = 50;
    public int CheckpointEvery { get; init; } = 1000;

    /// <summary>Steps between sample grids (a fixed start noise, so grids over training are comparable).</summary>
    public int SampleEvery { get; init; } = 1000;

    /// <summary>Steps between metric evaluations during training (0 = never; epoch-based families evaluate after every epoch).</summary>
    public int EvalEvery { get; init; } = 2000;

    /// <summary>Samples per evaluation during training.</summary>
    public int EvalSamples { get; init; } = 1000;

    /// <summary>Samples of the evaluation written when training ends (0 = skip, where a family allows it).</summary>
    public int FinalEvalSamples { get; init; } = 2000;

    /// <summary>Also write TensorBoard event files under tensorboard/.</summary>
    public bool TensorBoard { get; init; }

    /// <summary>
    /// Wall-time budget of the training loop in seconds, counted over every session of the run (0 = none): training stops at the
    /// first step that ends past it, then checkpoints and evaluates as at its last step. The learning-rate schedule is the one
    /// <see cref="Steps"/> defines, so pair a budget with <c>--lr-decay constant</c> or with the step count it is expected to reach.
    /// </summary>
    public double TimeBudgetSeconds { get; init; }

    /// <summary>The step count of a budgeted run given no <c>--steps</c>: the budget, not the count, ends it.</summary>
    public const long BudgetedStepCap = 1_000_000_000;

    /// <summary>
    /// CPU-time budget of the training loop in seconds (the process's CPU time over all threads, counted over every session; 0 = none):
    /// as <see cref="TimeBudgetSeconds"/>, but what one run gets does not shrink when other work shares the machine.
    /// </summary>
    public double CpuBudgetSeconds { get; init; }

    /// <summary>
    /// The defaults of an epoch-based family on Fashion-MNIST (GAN, VAE): <paramref name="epochs"/> passes, no warm-up, decay,
    /// clipping or EMA unless the family sets them, 2,000 samples scored after each epoch and 10,000 (the test set) at the end.
    /// </summary>
    public static TrainingSettings ForEpochs(int epochs) => new()
    {
        Steps = 0, Epochs = epochs, WarmupSteps = 0, GradClip = 0, EmaDecay = 0, EvalSamples = 2000, FinalEvalSamples = 10_000,
    };

    /// <summary>The Fashion-MNIST folder <see cref="Data"/> names (null: the Debian package's); a one-line error for other data.</summary>
    public string? FashionMnistDirectory() => GenSharp.Data.DataSpec.FashionMnistDirectory(Data);

    /// <summary>The learning-rate schedule over <paramref name="totalSteps"/> optimiser steps (default <see cref="Steps"/>).</summary>
    public LearningRateSchedule Schedule(long? totalSteps = null) =>
        new(Lr, totalSteps ?? Steps, Math.Min(WarmupSteps, totalSteps ?? Steps), LrDecay);

    /// <summary>The training loop's settings for <paramref name="totalSteps"/> steps of <paramref name="examplesPerStep"/> examples.</summary>
    public TrainerConfig LoopConfig(long? totalSteps = null, int? examplesPerStep = null, double? gradClip = null) =>
        new(totalSteps ?? Steps, examplesPerStep ?? Batch, gradClip ?? GradClip, LogEvery, CheckpointEvery, TensorBoard: TensorBoard,
            TimeBudgetSeconds: TimeBudgetSeconds, CpuBudgetSeconds: CpuBudgetSeconds);

    /// <summary>Checks every shared value and says which option to change; returns this.</summary>
    public TrainingSettings Validate()
    {
        if (string.IsNullOrWhiteSpace(Data)) throw new ConfigException("--data is empty: name the training data (docs/data.md)");
        if (Steps < 0 || (Steps == 0) == (Epochs == 0))
            throw new ConfigException(Epochs > 0
                ? $"--steps {Steps} and --epochs {Epochs}: give one length, not both"
                : $"--steps {Steps}: must be at least 1");
        if (Steps > 0) Limits.Check("--steps", Steps, 1, long.MaxValue / 2);
        if (Epochs < 0) throw new ConfigException($"--epochs {Epochs}: must be at least 1");
        if (Epochs > 0) Limits.Check("--epochs", Epochs, 1, Limits.MaxEpochs);
        if (Batch < 2) throw new ConfigException($"--batch {Batch}: must be at least 2");
        Limits.Check("--batch", Batch, 2, Limits.MaxBatch);
        if (!(Lr > 0) || !double.IsFinite(Lr)) throw new ConfigException($"--lr {Lr}: must be a positive number, e.g. 2e-4");
        if (WarmupSteps < 0 || (Steps > 0 && WarmupSteps > Steps))
            throw new ConfigException($"--warmup {WarmupSteps}: must be between 0 and --steps ({Steps})");
        if (!LearningRateSchedule.DecayKinds.Contains(LrDecay))
            throw new ConfigException($"--lr-decay {LrDecay}: unknown; use one of {string.Join(", ", LearningRateSchedule.DecayKinds)}");
        if (!(WeightDecay >= 0) || !double.IsFinite(WeightDecay)) throw new ConfigException($"weight decay {WeightDecay}: must be >= 0");
        if (!(GradClip >= 0) || !double.IsFinite(GradClip)) throw new ConfigException($"--grad-clip {GradClip}: must be >= 0 (0 disables)");
        if (!(EmaDecay >= 0 && EmaDecay < 1)) throw new ConfigException($"--ema-decay {EmaDecay}: must be in [0, 1)");
        if (LogEvery < 1) throw new ConfigException($"--log-every {LogEvery}: must be at least 1");
        if (CheckpointEvery < 1) throw new ConfigException($"--checkpoint-every {CheckpointEvery}: must be at least 1");
        if (SampleEvery < 1) throw new ConfigException($"--sample-every {SampleEvery}: must be at least 1");
        if (EvalEvery < 0) throw new ConfigException($"--eval-every {EvalEvery}: must be >= 0 (0 = never)");
        if (EvalSamples < 0) throw new ConfigException($"--eval-n {EvalSamples}: must be >= 0");
        if (EvalEvery > 0 && EvalSamples is > 0 and < 10) throw new ConfigException($"--eval-n {EvalSamples}: must be at least 10");
        Limits.Check("--eval-n", EvalSamples, 0, Limits.MaxSamples);
        if (FinalEvalSamples is < 0 or (> 0 and < 10))
            throw new ConfigException($"--final-eval-n {FinalEvalSamples}: must be 0 (skip) or at least 10");
        Limits.Check("--final-eval-n", FinalEvalSamples, 0, Limits.MaxSamples);
        if (!(TimeBudgetSeconds >= 0) || !double.IsFinite(TimeBudgetSeconds))
            throw new ConfigException($"--time-budget {TimeBudgetSeconds} s: must be >= 0 (0 = none)");
        if (!(CpuBudgetSeconds >= 0) || !double.IsFinite(CpuBudgetSeconds))
            throw new ConfigException($"--cpu-budget {CpuBudgetSeconds} s: must be >= 0 (0 = none)");
        return this;
    }
}
