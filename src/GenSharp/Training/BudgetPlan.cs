using System.Globalization;

namespace GenSharp.Training;

/// <summary>
/// The length of a budgeted run whose learning rate decays (<c>--time-budget</c> or <c>--cpu-budget</c> with <c>--lr-decay cosine</c>;
/// docs/training.md#time-budget): after <see cref="SkipSteps"/> steps of each session (allocator and thread warm-up) it times
/// <see cref="MeasureSteps"/> steps on the budget's own clock, and plans the last step as the one that uses
/// <see cref="Margin"/> of what is left of the budget; halfway to that step it plans once more from the steps timed since, and keeps that.
/// The schedule then decays over the planned steps and reaches its final rate at the last one. The plan is saved in every checkpoint,
/// so a resumed run keeps it; a run whose step time grows after the second plan still stops at the budget, before its planned end.
/// </summary>
internal sealed class BudgetPlan(double wallBudget, double cpuBudget, long cap)
{
    /// <summary>Steps of each session left out of the timing.</summary>
    public const int SkipSteps = 5;

    /// <summary>Steps timed before planning.</summary>
    public const int MeasureSteps = 15;

    /// <summary>The share of the remaining budget planned for (the rest absorbs the checkpoint and the step-time noise).</summary>
    public const double Margin = 0.98;

    /// <summary>The checkpoint metadata key of the plan.</summary>
    public const string MetadataKey = "planned_steps";

    private const string FinalKey = "planned_steps_final";

    private long _sessionStart;
    private long? _fromStep;
    private double _fromWall, _fromCpu;
    private bool _final;

    /// <summary>The planned last step (null until planned).</summary>
    public long? Planned { get; private set; }

    /// <summary>Takes the plan a checkpoint saved (none: plan again in this session).</summary>
    public void Restore(IReadOnlyDictionary<string, string> metadata)
    {
        Planned = metadata.TryGetValue(MetadataKey, out string? p) && long.TryParse(p, CultureInfo.InvariantCulture, out long steps) ? steps : null;
        _final = Planned is not null && metadata.GetValueOrDefault(FinalKey) == "1";
    }

    /// <summary>The plan as checkpoint metadata (nothing before planning).</summary>
    public void Save(Dictionary<string, string> metadata)
    {
        if (Planned is not long p) return;
        metadata[MetadataKey] = p.ToString(CultureInfo.InvariantCulture);
        metadata[FinalKey] = _final ? "1" : "0";
    }

    /// <summary>A training session starts at <paramref name="step"/>.</summary>
    public void StartSession(long step)
    {
        _sessionStart = step;
        _fromStep = null;
    }

    /// <summary>Records the clocks after <paramref name="step"/> (cumulative over sessions); true when the plan was just made or remade.</summary>
    public bool Observe(long step, double wallSeconds, double cpuSeconds)
    {
        if (_final) return false;
        if (step == _sessionStart + SkipSteps)
        {
            (_fromStep, _fromWall, _fromCpu) = (step, wallSeconds, cpuSeconds);
            return false;
        }
        if (_fromStep is not long from || step - from < (Planned is long first ? Math.Max(MeasureSteps, (first - from) / 2) : MeasureSteps))
            return false;
        double n = step - from;
        long plan = cap;
        if (wallBudget > 0) plan = Math.Min(plan, step + StepsIn(wallBudget - wallSeconds, (wallSeconds - _fromWall) / n));
        if (cpuBudget > 0) plan = Math.Min(plan, step + StepsIn(cpuBudget - cpuSeconds, (cpuSeconds - _fromCpu) / n));
        _final = Planned is not null;
        Planned = Math.Max(step, plan);
        (_fromStep, _fromWall, _fromCpu) = (step, wallSeconds, cpuSeconds); // the second plan times the steps after the first
        return true;
    }

    private static long StepsIn(double remaining, double perStep) =>
        perStep > 0 ? (long)Math.Min(Math.Floor(Math.Max(0, remaining) * Margin / perStep), long.MaxValue / 4) : long.MaxValue / 4;
}
