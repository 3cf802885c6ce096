using System.Diagnostics;
using System.Globalization;
using GenSharp.Output;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Training;

/// <summary>
/// The one training loop, minGPT-style: it knows nothing about the model. It is given a step (<see cref="ITrainingStep"/>:
/// a loss and one optimiser, see <see cref="LossStep"/>, or a GAN's two), an optional learning-rate schedule (applied to
/// every optimiser), an optional EMA and the run directory, and it owns: the learning rate, the EMA update, metrics.jsonl
/// (the step's scalars averaged over each log window) and TensorBoard, divergence detection (exit code 4), callbacks every
/// N steps, atomic checkpoints (model, EMA, every optimiser, schedule, both random generators, the open log window, step),
/// keep-N checkpoints, and exact resume.
///
/// Exactness: a run killed at any point and resumed ends with the same tensors, metrics rows and evaluation rows as one
/// never interrupted. Checkpoints hold the run's generator and torch's default one (dropout draws from it); callbacks
/// leave both untouched (their random state is restored after them) and run before the step's checkpoint is written, so
/// what they write at a checkpoint's step is never lost; resume drops what was written after the checkpoint.
/// One dispose scope per step keeps native memory flat.
/// </summary>
public sealed class Trainer
{
    /// <summary>torch's default CPU generator (a handle to the one libtorch owns; dropout draws from it).</summary>
    private static Generator GlobalRng => _globalRng ??= torch.Generator.Default;
    private static Generator? _globalRng;

    private readonly TrainerConfig _config;
    private readonly nn.Module _model;
    private readonly ITrainingStep _step;
    private readonly LearningRateSchedule? _schedule;
    private readonly BudgetPlan? _plan;
    private readonly Ema? _ema;
    private readonly Generator _rng;
    private readonly RunDirectory _run;
    private readonly List<(int Every, Action<long> Action)> _callbacks = [];
    private readonly List<int> _extraCheckpoints = [];
    private readonly IReadOnlyDictionary<string, string> _checkpointMetadata;
    private readonly LogWindow _window = new();
    private readonly LogWindow _observed = new();
    private TorchSharp.Modules.SummaryWriter? _tensorBoard;

    /// <summary>A single-optimiser run: the step is a <see cref="LossStep"/> of <paramref name="loss"/>.</summary>
    /// <param name="loss">Computes the scalar loss for a (0-based) step; called inside the step's dispose scope.</param>
    /// <param name="checkpointMetadata">Extra strings saved in every checkpoint (e.g. the config JSON).</param>
    /// <param name="mixedPrecision">A low-precision working copy of the model that the loss runs on (null: the loss runs on the model).</param>
    public Trainer(
        TrainerConfig config, nn.Module model, optim.Optimizer optimizer, LearningRateSchedule schedule,
        Ema? ema, Generator rng, RunDirectory run, Func<long, Tensor> loss,
        IReadOnlyDictionary<string, string>? checkpointMetadata = null, MixedPrecision? mixedPrecision = null)
        : this(config, model, new LossStep(model, optimizer, loss, config.GradClip, mixedPrecision), schedule, ema, rng, run, checkpointMetadata)
    {
    }

    /// <param name="model">Every trained module (checkpoint keys <c>model.*</c>), e.g. a GAN's generator and discriminator.</param>
    /// <param name="schedule">The learning rate of every optimiser of the step at each step (null: the optimisers' own rates).</param>
    public Trainer(TrainerConfig config, nn.Module model, ITrainingStep step, LearningRateSchedule? schedule, Ema? ema, Generator rng,
        RunDirectory run, IReadOnlyDictionary<string, string>? checkpointMetadata = null)
    {
        _config = config.Validate();
        if (step.Optimizers.Count == 0) throw new ArgumentException("a training step needs at least one optimizer", nameof(step));
        _model = model;
        _step = step;
        _schedule = schedule?.Validate();
        if (_schedule is { Decay: not "constant" } && (_config.TimeBudgetSeconds > 0 || _config.CpuBudgetSeconds > 0))
            _plan = new BudgetPlan(_config.TimeBudgetSeconds, _config.CpuBudgetSeconds, _config.TotalSteps);
        _ema = ema;
        _rng = rng;
        _run = run;
        _checkpointMetadata = checkpointMetadata ?? new Dictionary<string, string>();
    }

    /// <summary>Steps completed so far (after <see cref="Resume"/> the checkpoint's step).</summary>
    public long Step { get; private set; }

    /// <summary>
    /// The last step: the configured total, or for a budgeted run with a decaying learning rate the step it planned from its measured
    /// step time (<see cref="BudgetPlan"/>).
    /// </summary>
    public long TotalSteps => _plan?.Planned is long p ? Math.Min(p, _config.TotalSteps) : _config.TotalSteps;

    /// <summary>The learning-rate schedule in force: the given one, decaying over the planned steps once a budgeted run has planned them.</summary>
    public LearningRateSchedule? Schedule => _plan?.Planned is not null && _schedule is { } s
        ? s with { TotalSteps = TotalSteps, WarmupSteps = Math.Min(s.WarmupSteps, TotalSteps) }
        : _schedule;

    /// <summary>Wall-clock seconds spent training, summed over resumed sessions.</summary>
    public double WallSeconds { get; private set; }

    /// <summary>Process CPU seconds spent in training steps over every session (logged as <c>cpu_time_s</c>; all threads).</summary>
    public double CpuSeconds { get; private set; }

    /// <summary>Runs <paramref name="action"/> with the completed step count every <paramref name="every"/> steps and at the end.</summary>
    public Trainer Every(int every, Action<long> action)
    {
        if (every < 1) throw new ConfigException($"callback interval {every}: must be at least 1");
        _callbacks.Add((every, action));
        return this;
    }

    /// <summary>Also writes a checkpoint every <paramref name="every"/> steps (e.g. at every epoch's end), besides the configured
    /// interval.</summary>
    public Trainer AlsoCheckpointEvery(int every)
    {
        if (every < 1) throw new ConfigException($"checkpoint interval {every}: must be at least 1");
        _extraCheckpoints.Add(every);
        return this;
    }

    /// <summary>
    /// Adds a PNG file (e.g. a sample grid a callback just wrote) to the TensorBoard event file as an image summary under
    /// <paramref name="tag"/> at the current step; nothing when TensorBoard is off or outside <see cref="Run"/>.
    /// </summary>
    public void AddImage(string tag, string pngPath) =>
        _tensorBoard?.add_img(tag, pngPath, (int)Math.Min(Step, int.MaxValue));

    /// <summary>Records a named value (e.g. one term of the loss) from inside the step; metrics.jsonl gets its mean over each log window.</summary>
    public void Observe(string name, double value) => _observed.Add(name, value);

    /// <summary>
    /// Removes what a killed process left half-written, loads the latest checkpoint of the run, if any, and drops the
    /// metrics and evaluation rows written after it (all of them when there is none); returns its step (0 if none).
    /// </summary>
    public long Resume()
    {
        StaleTemporaryFiles.Remove(_run);
        string? latest = Checkpoint.FindLatest(_run.CheckpointsDir);
        if (latest is null)
        {
            Step = 0;
            _run.Metrics.TruncateAfter(0);
            _run.EvalCurve.TruncateAfter(0);
            return 0;
        }
        var loaded = Checkpoint.Load(latest, Snapshot(), _config.TotalSteps);
        Step = loaded.Step;
        if (loaded.Metadata.TryGetValue("wall_time_s", out string? w) && double.TryParse(w, CultureInfo.InvariantCulture, out double wall))
            WallSeconds = wall;
        if (loaded.Metadata.TryGetValue("cpu_time_s", out string? c) && double.TryParse(c, CultureInfo.InvariantCulture, out double cpu))
            CpuSeconds = cpu;
        _plan?.Restore(loaded.Metadata);
        _window.Restore(loaded.Metadata.GetValueOrDefault("metrics_window"));
        _observed.Restore(loaded.Metadata.GetValueOrDefault("metrics_observed"));
        bool extending = Step < _config.TotalSteps;
        // a row logged at the checkpoint's step only because it was the last step of a shorter run is not one a longer run logs
        _run.Metrics.TruncateAfter(extending && Step % _config.LogEvery != 0 ? Step - 1 : Step);
        _run.EvalCurve.TruncateAfter(extending && !_callbacks.Any(c => Step % c.Every == 0) ? Step - 1 : Step);
        return Step;
    }

    /// <summary>
    /// True when the run has used its wall-time or its CPU-time budget (<see cref="TrainerConfig.TimeBudgetSeconds"/>,
    /// <see cref="TrainerConfig.CpuBudgetSeconds"/>).
    /// </summary>
    public bool OverBudget => (_config.TimeBudgetSeconds > 0 && WallSeconds >= _config.TimeBudgetSeconds)
                              || (_config.CpuBudgetSeconds > 0 && CpuSeconds >= _config.CpuBudgetSeconds);

    /// <summary>True when <see cref="Run"/> stopped before the configured total because the time budget ran out.</summary>
    public bool StoppedByTimeBudget { get; private set; }

    /// <summary>Trains from <see cref="Step"/> to the configured total, or until the time budget is used.</summary>
    public void Run(string description = "training", bool quiet = false)
    {
        _model.train();
        var clock = Stopwatch.StartNew();
        double wallAtStart = WallSeconds, cpuAtStart = CpuSeconds;
        var cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        var windowClock = Stopwatch.StartNew();
        long windowStart = Step;

        using var progress = ProgressReporter.Start(description, TotalSteps, quiet);
        _plan?.StartSession(Step);
        var tensorBoard = _tensorBoard = _config.TensorBoard ? torch.utils.tensorboard.SummaryWriter(_run.TensorBoardDir) : null;
        progress.Report(Step);
        StoppedByTimeBudget = (OverBudget || Step >= TotalSteps) && Step < _config.TotalSteps;
        while (Step < TotalSteps && !OverBudget)
        {
            double? lr = Schedule?.At(Step);
            if (lr is double rate)
                foreach (var (_, optimizer) in _step.Optimizers)
                    foreach (var group in optimizer.ParamGroups) group.LearningRate = rate;
            var result = _step.Run(Step);
            foreach (var (name, value) in result.Scalars)
            {
                if (value is double v && !double.IsFinite(v))
                    throw new GenSharpException($"training diverged at step {Step + 1}: {name} is {v}; {_step.DivergenceAdvice}", 4);
                _window.Add(name, value);
            }
            _ema?.Update(Step);
            Step++;
            WallSeconds = wallAtStart + clock.Elapsed.TotalSeconds;
            CpuSeconds = cpuAtStart + (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalSeconds;
            if (_plan?.Observe(Step, WallSeconds, CpuSeconds) == true) progress.Retarget(TotalSteps);

            bool last = Step == TotalSteps || OverBudget;
            if (last && Step < _config.TotalSteps) StoppedByTimeBudget = true;
            bool aligned = Step % _config.LogEvery == 0;
            if (aligned || last)
            {
                var record = Record(lr, windowStart, windowClock.Elapsed.TotalSeconds);
                _run.Metrics.Append(record);
                foreach (var (tag, value) in record)
                    if (tag != "step" && value is double d)
                        tensorBoard?.add_scalar(tag, (float)d, (int)Math.Min(Step, int.MaxValue));
                progress.Report(Step, _window.Means().Where(m => m.Value is not null).Take(2).ToDictionary(m => m.Key, m => m.Value!.Value));
                // the last step's record closes no window: a run extended from this step goes on averaging it
                if (aligned)
                {
                    _window.Clear();
                    _observed.Clear();
                }
                windowClock.Restart();
                windowStart = Step;
            }
            RunCallbacks(last);
            if (Step % _config.CheckpointEvery == 0 || _extraCheckpoints.Any(e => Step % e == 0) || last)
                SaveCheckpoint();
        }
        progress.Report(Step);
    }

    private Dictionary<string, object?> Record(double? lr, long windowStart, double windowSeconds)
    {
        var record = new Dictionary<string, object?> { ["step"] = Step };
        foreach (var (name, mean) in _window.Means()) record[name] = mean;
        if (lr is not null) record["lr"] = lr;
        if (_plan?.Planned is long planned) record["planned_steps"] = planned;
        foreach (var (name, mean) in _observed.Means()) record[name] = mean;
        _step.Annotate(Step, record);
        record["wall_time_s"] = Math.Round(WallSeconds, 3);
        record["cpu_time_s"] = Math.Round(CpuSeconds, 3);
        record["samples_per_s"] = Math.Round((Step - windowStart) * (double)_config.BatchSize / Math.Max(windowSeconds, 1e-9), 1);
        return record;
    }

    /// <summary>The callbacks due at this step, with the training random state put back after them.</summary>
    private void RunCallbacks(bool last)
    {
        var due = _callbacks.Where(c => Step % c.Every == 0 || last).ToList();
        if (due.Count == 0) return;
        using var rngState = _rng.get_state();
        using var globalState = GlobalRng.get_state();
        foreach (var (_, action) in due)
        {
            action(Step);
            _model.train();
            // a grid or an evaluation allocates far more than a step (batches of 250 without gradients): return
            // those pages, or the tuned allocator keeps them resident for the rest of the run
            Runtime.NativeMemory.ReleaseFreePages();
        }
        _rng.set_state(rngState);
        GlobalRng.set_state(globalState);
    }

    private TrainingSnapshot Snapshot() => new(_model, _ema?.Shadow, _step.Optimizers[0].Value, _rng)
    {
        LrScheduleJson = Schedule?.ToJson(),
        Optimizers = _step.Optimizers.Skip(1).ToDictionary(o => o.Key, o => o.Value),
        GlobalRng = GlobalRng,
    };

    private void SaveCheckpoint()
    {
        var metadata = new Dictionary<string, string>(_checkpointMetadata)
        {
            ["wall_time_s"] = WallSeconds.ToString("R", CultureInfo.InvariantCulture),
            ["cpu_time_s"] = CpuSeconds.ToString("R", CultureInfo.InvariantCulture),
            ["metrics_window"] = _window.ToJson(),
            ["metrics_observed"] = _observed.ToJson(),
        };
        _plan?.Save(metadata);
        Checkpoint.Save(_run.CheckpointPath(Step), Snapshot() with { Step = Step, Metadata = metadata });
        var all = Directory.GetFiles(_run.CheckpointsDir, "step-*.safetensors").Order(StringComparer.Ordinal).ToArray();
        for (int i = 0; i < all.Length - _config.KeepCheckpoints; i++)
            File.Delete(all[i]);
    }
}
