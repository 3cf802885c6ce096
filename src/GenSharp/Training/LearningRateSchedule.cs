using System.Text.Json;

namespace GenSharp.Training;

/// <summary>
/// Learning rate as a pure function of the step: linear warm-up from 0 over <see cref="WarmupSteps"/>,
/// then constant or cosine decay to <see cref="MinLr"/> at <see cref="TotalSteps"/>. Being stateless,
/// its whole state is this record plus the step, which is what checkpoints store.
/// </summary>
public sealed record LearningRateSchedule(
    double BaseLr,
    long TotalSteps,
    long WarmupSteps = 0,
    string Decay = "constant",
    double MinLr = 0)
{
    public static readonly string[] DecayKinds = ["constant", "cosine"];

    /// <summary>Checks the values and says which one to change.</summary>
    public LearningRateSchedule Validate()
    {
        if (!(BaseLr > 0) || double.IsInfinity(BaseLr)) throw new ConfigException($"--lr {BaseLr}: must be a positive number, e.g. 2e-4");
        if (TotalSteps < 1) throw new ConfigException($"--steps {TotalSteps}: must be at least 1");
        if (WarmupSteps < 0 || WarmupSteps > TotalSteps) throw new ConfigException($"--warmup {WarmupSteps}: must be between 0 and --steps " +
            $"({TotalSteps})");
        if (!DecayKinds.Contains(Decay)) throw new ConfigException($"--lr-decay {Decay}: unknown; use one of {string.Join(", ", DecayKinds)}");
        if (MinLr < 0 || MinLr > BaseLr) throw new ConfigException($"min lr {MinLr}: must be between 0 and --lr ({BaseLr})");
        return this;
    }

    /// <summary>The learning rate for optimiser step <paramref name="step"/> (0-based).</summary>
    public double At(long step)
    {
        if (WarmupSteps > 0 && step < WarmupSteps)
            return BaseLr * (step + 1) / WarmupSteps;
        if (Decay == "cosine")
        {
            double span = Math.Max(1, TotalSteps - WarmupSteps);
            double progress = Math.Clamp((step - WarmupSteps) / span, 0, 1);
            return MinLr + 0.5 * (BaseLr - MinLr) * (1 + Math.Cos(Math.PI * progress));
        }
        return BaseLr;
    }

    /// <summary>JSON form stored in checkpoints.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonDefaults.Options);

    /// <summary>Reads the JSON form written by <see cref="ToJson"/>.</summary>
    public static LearningRateSchedule FromJson(string json) =>
        JsonSerializer.Deserialize<LearningRateSchedule>(json, JsonDefaults.Options)
        ?? throw new CheckpointException("learning-rate schedule state is empty");
}
