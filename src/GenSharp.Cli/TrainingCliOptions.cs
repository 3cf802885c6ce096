using System.CommandLine;
using System.Globalization;
using GenSharp.Training;

namespace GenSharp.Cli;

/// <summary>Which of the shared <see cref="TrainingSettings"/> a train command offers (a family offers only those it reads).</summary>
[Flags]
public enum TrainingFields
{
    None = 0,
    Data = 1 << 0, Seed = 1 << 1, Steps = 1 << 2, Epochs = 1 << 3, Batch = 1 << 4, Lr = 1 << 5, Warmup = 1 << 6, LrDecay = 1 << 7,
    GradClip = 1 << 8, Ema = 1 << 9, LogEvery = 1 << 10, CheckpointEvery = 1 << 11, SampleEvery = 1 << 12, EvalEvery = 1 << 13,
    EvalN = 1 << 14, FinalEvalN = 1 << 15, TensorBoard = 1 << 16, TimeBudget = 1 << 17,

    /// <summary>Everything a step-based family (DDPM, NCSN and the families on the image-run pipeline) reads.</summary>
    StepBased = Data | Seed | Steps | Batch | Lr | Warmup | LrDecay | GradClip | Ema | LogEvery | CheckpointEvery | SampleEvery | EvalEvery
        | EvalN | FinalEvalN | TensorBoard | TimeBudget,
}

/// <summary>
/// The command-line options of <see cref="TrainingSettings"/>, made once for every train command: one option per shared
/// field the family offers, each described with the family's default (or "toy / images" defaults where a command trains two
/// kinds of model), read back on top of a defaults record. An option left out keeps the default; the default warm-up is
/// capped at a tenth of the run, as a short run needs.
/// </summary>
public sealed class TrainingCliOptions
{
    private readonly TrainingFields _fields;
    private readonly List<Option> _all = [];

    public TrainingCliOptions(TrainingFields fields, params TrainingSettings[] defaults)
    {
        _fields = fields;
        string D<T>(Func<TrainingSettings, T> f) => "(default " + string.Join(" / ", defaults.Select(d => Show(f(d))).Distinct()) + ")";
        Data = Add(TrainingFields.Data, new Option<string?>("--data") { Description = $"Training data {D(d => d.Data)} (docs/data.md)" });
        Seed = Add(TrainingFields.Seed, new Option<long?>("--seed")
        {
            Description = $"Seed for initialisation, data order and noise {D(d => d.Seed)}"
        });
        Steps = Add(TrainingFields.Steps, new Option<long?>("--steps") { Description = $"Optimiser steps {D(d => d.Steps)}" });
        Epochs = Add(TrainingFields.Epochs, new Option<int?>("--epochs") { Description = $"Passes over the training images {D(d => d.Epochs)}" });
        Batch = Add(TrainingFields.Batch, new Option<int?>("--batch") { Description = $"Batch size {D(d => d.Batch)}" });
        Lr = Add(TrainingFields.Lr, new Option<double?>("--lr") { Description = $"Learning rate {D(d => d.Lr)}" });
        Warmup = Add(TrainingFields.Warmup, new Option<long?>("--warmup")
        {
            Description = $"Linear learning-rate warm-up steps {D(d => d.WarmupSteps)}, at most a tenth of the run by default"
        });
        LrDecay = Add(TrainingFields.LrDecay, new Option<string?>("--lr-decay")
        {
            Description = $"constant or cosine after warm-up {D(d => d.LrDecay)}"
        });
        GradClip = Add(TrainingFields.GradClip, new Option<double?>("--grad-clip")
        {
            Description = $"Gradient-norm clip, 0 = off {D(d => d.GradClip)}"
        });
        Ema = Add(TrainingFields.Ema, new Option<double?>("--ema-decay")
        {
            Description = $"EMA decay of the weights used for sampling {D(d => d.EmaDecay)}"
        });
        LogEvery = Add(TrainingFields.LogEvery, new Option<int?>("--log-every")
        {
            Description = $"Steps between metrics.jsonl records {D(d => d.LogEvery)}"
        });
        CheckpointEvery = Add(TrainingFields.CheckpointEvery, new Option<int?>("--checkpoint-every")
        {
            Description = $"Steps between checkpoints {D(d => d.CheckpointEvery)}"
        });
        SampleEvery = Add(TrainingFields.SampleEvery, new Option<int?>("--sample-every")
        {
            Description = $"Steps between sample grids {D(d => d.SampleEvery)}"
        });
        EvalEvery = Add(TrainingFields.EvalEvery, new Option<int?>("--eval-every")
        {
            Description = $"Steps between metric evaluations during training, 0 = never {D(d => d.EvalEvery)}"
        });
        EvalN = Add(TrainingFields.EvalN, new Option<int?>("--eval-n")
        {
            Description = $"Samples per evaluation during training {D(d => d.EvalSamples)}"
        });
        FinalEvalN = Add(TrainingFields.FinalEvalN, new Option<int?>("--final-eval-n")
        {
            Description = $"Samples of the evaluation after training {D(d => d.FinalEvalSamples)}"
        });
        TensorBoard = Add(TrainingFields.TensorBoard, new Option<bool>("--tensorboard")
        {
            Description = "Also write TensorBoard event files to RUN/tensorboard/"
        });
        TimeBudget = Add(TrainingFields.TimeBudget, new Option<string?>("--time-budget")
        {
            Description = "Stop training when its wall time (over every session of the run) reaches this, e.g. 90s, 30m, 1h, then checkpoint and " +
                "evaluate as at the last step. Without --steps the budget sets the length; with --lr-decay cosine the run times its first " +
                "steps and plans its last step, so the rate decays to its end on time (docs/training.md#time-budget) (default: none)"
        });
        CpuBudget = Add(TrainingFields.TimeBudget, new Option<string?>("--cpu-budget")
        {
            Description = "As --time-budget, but counting the process's CPU time (all threads), which other work on a shared machine does not " +
                "shrink: with --threads 1, 30m is 30 minutes of one core (default: none)"
        });
    }

    public Option<string?> Data { get; }
    public Option<long?> Seed { get; }
    public Option<long?> Steps { get; }
    public Option<int?> Epochs { get; }
    public Option<int?> Batch { get; }
    public Option<double?> Lr { get; }
    public Option<long?> Warmup { get; }
    public Option<string?> LrDecay { get; }
    public Option<double?> GradClip { get; }
    public Option<double?> Ema { get; }
    public Option<int?> LogEvery { get; }
    public Option<int?> CheckpointEvery { get; }
    public Option<int?> SampleEvery { get; }
    public Option<int?> EvalEvery { get; }

    /// <summary>For a command that trains on toys and images: <c>--eval-every</c> follows <c>--sample-every</c> on toys.</summary>
    public void DescribeEvalEveryForToysAndImages(int imageDefault) =>
        EvalEvery.Description = "Steps between metric evaluations during training (exact metrics on toys, FD on images), 0 = never " +
            $"(default: --sample-every / {imageDefault})";
    public Option<int?> EvalN { get; }
    public Option<int?> FinalEvalN { get; }
    public Option<bool> TensorBoard { get; }
    public Option<string?> TimeBudget { get; }
    public Option<string?> CpuBudget { get; }

    /// <summary>The options this command offers, in help order.</summary>
    public IReadOnlyList<Option> All => _all;

    public void AddTo(Command command)
    {
        foreach (var o in _all) command.Options.Add(o);
    }

    /// <summary>True when the user typed <paramref name="option"/> (not merely took its default).</summary>
    public static bool Typed(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };

    /// <summary><paramref name="d"/> with every option the user typed applied; the default warm-up capped at a tenth of the run.</summary>
    public TrainingSettings Read(ParseResult parse, TrainingSettings d)
    {
        bool budgeted = Get(parse, TimeBudget) is not null || Get(parse, CpuBudget) is not null;
        // a budget without --steps trains for the budget: the length is planned from the measured step time (docs/training.md#time-budget)
        long steps = Get(parse, Steps) ?? (budgeted && d.Steps > 0 ? TrainingSettings.BudgetedStepCap : d.Steps);
        return d with
        {
            Data = Get(parse, Data) ?? d.Data,
            Seed = Get(parse, Seed) ?? d.Seed,
            Steps = steps,
            Epochs = Get(parse, Epochs) ?? d.Epochs,
            Batch = Get(parse, Batch) ?? d.Batch,
            Lr = Get(parse, Lr) ?? d.Lr,
            WarmupSteps = Get(parse, Warmup) ?? (steps > 0 ? Math.Min(d.WarmupSteps, steps / 10) : d.WarmupSteps),
            LrDecay = Get(parse, LrDecay) ?? d.LrDecay,
            GradClip = Get(parse, GradClip) ?? d.GradClip,
            EmaDecay = Get(parse, Ema) ?? d.EmaDecay,
            LogEvery = Get(parse, LogEvery) ?? d.LogEvery,
            CheckpointEvery = Get(parse, CheckpointEvery) ?? d.CheckpointEvery,
            SampleEvery = Get(parse, SampleEvery) ?? d.SampleEvery,
            EvalEvery = Get(parse, EvalEvery) ?? d.EvalEvery,
            EvalSamples = Get(parse, EvalN) ?? d.EvalSamples,
            FinalEvalSamples = Get(parse, FinalEvalN) ?? d.FinalEvalSamples,
            TensorBoard = _fields.HasFlag(TrainingFields.TensorBoard) ? parse.GetValue(TensorBoard) || d.TensorBoard : d.TensorBoard,
            TimeBudgetSeconds = Get(parse, TimeBudget) is { } budget ? Durations.ParseSeconds(budget, "--time-budget") : d.TimeBudgetSeconds,
            CpuBudgetSeconds = Get(parse, CpuBudget) is { } cpu ? Durations.ParseSeconds(cpu, "--cpu-budget") : d.CpuBudgetSeconds,
        };
    }

    private T? Get<T>(ParseResult parse, Option<T?> option) where T : struct =>
        _all.Contains(option) ? parse.GetValue(option) : null;

    private string? Get(ParseResult parse, Option<string?> option) => _all.Contains(option) ? parse.GetValue(option) : null;

    private Option<T> Add<T>(TrainingFields field, Option<T> option)
    {
        if (_fields.HasFlag(field)) _all.Add(option);
        return option;
    }

    private static string Show<T>(T value) => value switch
    {
        double v => v.ToString("G3", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
