namespace GenSharp.Training;

/// <summary>The loop's own settings (the model's and data's live in the model family's config).</summary>
/// <param name="TotalSteps">Optimiser steps to reach; a resumed run stops at the same step.</param>
/// <param name="BatchSize">Examples per step (for samples/s).</param>
/// <param name="GradClip">Global gradient-norm clip; 0 disables.</param>
/// <param name="LogEvery">Steps between metrics.jsonl records.</param>
/// <param name="CheckpointEvery">Steps between checkpoints (the last step is always saved).</param>
/// <param name="KeepCheckpoints">How many most recent checkpoints to keep.</param>
/// <param name="TensorBoard">Also write TensorBoard event files (run/tensorboard/) with the logged scalars.</param>
/// <param name="TimeBudgetSeconds">Stop at the first step whose cumulative wall time (over every session) reaches this (0 = none).</param>
/// <param name="CpuBudgetSeconds">Stop at the first step whose cumulative process CPU time (all threads, over every session) reaches this
/// (0 = none): a budget that a shared machine's load does not shrink.</param>
public sealed record TrainerConfig(
    long TotalSteps,
    int BatchSize,
    double GradClip = 1.0,
    int LogEvery = 50,
    int CheckpointEvery = 1000,
    int KeepCheckpoints = 3,
    bool TensorBoard = false,
    double TimeBudgetSeconds = 0,
    double CpuBudgetSeconds = 0)
{
    public TrainerConfig Validate()
    {
        if (TotalSteps < 1) throw new ConfigException($"--steps {TotalSteps}: must be at least 1");
        if (BatchSize < 1) throw new ConfigException($"--batch {BatchSize}: must be at least 1");
        Limits.Check("--batch", BatchSize, 1, Limits.MaxBatch);
        if (GradClip < 0 || double.IsNaN(GradClip)) throw new ConfigException($"--grad-clip {GradClip}: must be >= 0 (0 disables)");
        if (LogEvery < 1) throw new ConfigException($"--log-every {LogEvery}: must be at least 1");
        if (CheckpointEvery < 1) throw new ConfigException($"--checkpoint-every {CheckpointEvery}: must be at least 1");
        if (!(TimeBudgetSeconds >= 0) || !double.IsFinite(TimeBudgetSeconds))
            throw new ConfigException($"--time-budget {TimeBudgetSeconds} s: must be >= 0 (0 = none)");
        if (!(CpuBudgetSeconds >= 0) || !double.IsFinite(CpuBudgetSeconds))
            throw new ConfigException($"--cpu-budget {CpuBudgetSeconds} s: must be >= 0 (0 = none)");
        if (KeepCheckpoints < 1) throw new ConfigException($"keep checkpoints {KeepCheckpoints}: must be at least 1");
        return this;
    }
}
