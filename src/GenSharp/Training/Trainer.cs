using System.Diagnostics;
using GenSharp.Output;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Training;

/// <summary>
/// The training loop, minGPT-style: it knows nothing about the model. It is given a loss (a function of
/// the step that returns a scalar tensor), an optimiser, a learning-rate schedule, an optional EMA and
/// the run directory, and it owns: zero-grad / backward / clip / step, the learning rate, the EMA update,
/// metrics.jsonl, atomic checkpoints (model, EMA, optimiser, schedule, RNG, step), resume, progress,
/// and callbacks every N steps (sample grids, metric curves).
/// With <see cref="MixedPrecision"/> the loss runs on its low-precision working copy: the loop copies the
/// fp32 weights into it before the loss and its gradients back to the fp32 model after backward, so that
/// clipping, the optimiser, the EMA and checkpoints only ever see fp32.
/// One dispose scope per step keeps native memory flat.
/// </summary>
public sealed class Trainer
{
    private readonly TrainerConfig _config;
    private readonly nn.Module _model;
    private readonly optim.Optimizer _optimizer;
    private readonly LearningRateSchedule _schedule;
    private readonly Ema? _ema;
    private readonly MixedPrecision? _mixedPrecision;
    private readonly Generator _rng;
    private readonly RunDirectory _run;
    private readonly Func<long, Tensor> _loss;
    private readonly List<(int Every, Action<long> Action)> _callbacks = [];
    private readonly IReadOnlyDictionary<string, string> _checkpointMetadata;
    private readonly Dictionary<string, (double Sum, int Count)> _observed = new(StringComparer.Ordinal);

    /// <param name="loss">Computes the scalar loss for a (0-based) step; called inside the step's dispose scope.</param>
    /// <param name="checkpointMetadata">Extra strings saved in every checkpoint (e.g. the config JSON).</param>
    /// <param name="mixedPrecision">A low-precision working copy of <paramref name="model"/> that the loss runs on (null: the loss runs on the model).</param>
    public Trainer(
        TrainerConfig config, nn.Module model, optim.Optimizer optimizer, LearningRateSchedule schedule,
        Ema? ema, Generator rng, RunDirectory run, Func<long, Tensor> loss,
        IReadOnlyDictionary<string, string>? checkpointMetadata = null, MixedPrecision? mixedPrecision = null)
    {
        _config = config.Validate();
        _model = model;
        _optimizer = optimizer;
        _schedule = schedule.Validate();
        _ema = ema;
        _mixedPrecision = mixedPrecision;
        _rng = rng;
        _run = run;
        _loss = loss;
        _checkpointMetadata = checkpointMetadata ?? new Dictionary<string, string>();
    }

    /// <summary>Steps completed so far (after <see cref="Resume"/> the checkpoint's step).</summary>
    public long Step { get; private set; }

    /// <summary>Wall-clock seconds spent training, summed over resumed sessions.</summary>
    public double WallSeconds { get; private set; }

    /// <summary>Runs <paramref name="action"/> with the completed step count every <paramref name="every"/> steps and at the end.</summary>
    public Trainer Every(int every, Action<long> action)
    {
        if (every < 1) throw new ConfigException($"callback interval {every}: must be at least 1");
        _callbacks.Add((every, action));
        return this;
    }

    /// <summary>Records a named value (e.g. one term of the loss) from inside the loss delegate; metrics.jsonl gets its mean over each log window.</summary>
    public void Observe(string name, double value)
    {
        var (sum, count) = _observed.GetValueOrDefault(name);
        _observed[name] = (sum + value, count + 1);
    }

    /// <summary>Loads the latest checkpoint of the run, if any; returns its step (0 if none).</summary>
    public long Resume()
    {
        string? latest = Checkpoint.FindLatest(_run.CheckpointsDir);
        if (latest is null) return 0;
        var loaded = Checkpoint.Load(latest, Snapshot(), _config.TotalSteps);
        Step = loaded.Step;
        if (loaded.Metadata.TryGetValue("wall_time_s", out string? w) && double.TryParse(w, System.Globalization.CultureInfo.InvariantCulture, out double wall))
            WallSeconds = wall;
        _run.Metrics.TruncateAfter(Step);
        _run.EvalCurve.TruncateAfter(Step);
        return Step;
    }

    /// <summary>Trains from <see cref="Step"/> to the configured total.</summary>
    public void Run(string description = "training", bool quiet = false)
    {
        _model.train();
        var metrics = _run.Metrics;
        var clock = Stopwatch.StartNew();
        double wallAtStart = WallSeconds;
        double lossSum = 0, gradNormSum = 0;
        int lossCount = 0;
        var windowClock = Stopwatch.StartNew();
        long windowStart = Step;
        var parameters = _model.parameters().Where(p => p.requires_grad).ToArray();

        using var progress = ProgressReporter.Start(description, _config.TotalSteps, quiet);
        var tensorBoard = _config.TensorBoard ? torch.utils.tensorboard.SummaryWriter(_run.TensorBoardDir) : null;
        progress.Report(Step);
        while (Step < _config.TotalSteps)
        {
            double lr = _schedule.At(Step);
            foreach (var group in _optimizer.ParamGroups) group.LearningRate = lr;
            double lossValue, gradNorm = double.NaN;
            using (var scope = NewDisposeScope())
            {
                _optimizer.zero_grad();
                _mixedPrecision?.CopyWeightsToWorking();
                var loss = _loss(Step);
                lossValue = loss.item<float>();
                if (!double.IsFinite(lossValue))
                    throw new GenSharpException(
                        $"training diverged at step {Step + 1}: loss is {lossValue}; lower --lr or enable --grad-clip", 4);
                loss.backward();
                _mixedPrecision?.CopyGradientsToMaster();
                if (_config.GradClip > 0)
                    gradNorm = nn.utils.clip_grad_norm_(parameters, _config.GradClip);
                _optimizer.step();
            }
            _ema?.Update(Step);
            Step++;
            lossSum += lossValue;
            if (!double.IsNaN(gradNorm)) gradNormSum += gradNorm;
            lossCount++;
            WallSeconds = wallAtStart + clock.Elapsed.TotalSeconds;

            bool last = Step == _config.TotalSteps;
            if (Step % _config.LogEvery == 0 || last)
            {
                double windowSeconds = windowClock.Elapsed.TotalSeconds;
                var record = new Dictionary<string, object?>
                {
                    ["step"] = Step,
                    ["loss"] = lossSum / lossCount,
                    ["lr"] = lr,
                    ["grad_norm"] = _config.GradClip > 0 ? gradNormSum / lossCount : null,
                    ["wall_time_s"] = Math.Round(WallSeconds, 3),
                    ["samples_per_s"] = Math.Round((Step - windowStart) * _config.BatchSize / Math.Max(windowSeconds, 1e-9), 1),
                };
                foreach (var (name, (sum, count)) in _observed) record[name] = sum / count;
                _observed.Clear();
                metrics.Append(record);
                foreach (var (tag, value) in record)
                    if (tag != "step" && value is double v)
                        tensorBoard?.add_scalar(tag, (float)v, (int)Math.Min(Step, int.MaxValue));
                progress.Report(Step, new Dictionary<string, double> { ["loss"] = lossSum / lossCount });
                lossSum = 0; gradNormSum = 0; lossCount = 0;
                windowClock.Restart();
                windowStart = Step;
            }
            if (Step % _config.CheckpointEvery == 0 || last)
                SaveCheckpoint();
            foreach (var (every, action) in _callbacks)
                if (Step % every == 0 || last)
                {
                    action(Step);
                    _model.train();
                    // a grid or an evaluation allocates far more than a step (batches of 250 without gradients): return
                    // those pages, or the tuned allocator keeps them resident for the rest of the run
                    Runtime.NativeMemory.ReleaseFreePages();
                }
        }
        progress.Report(Step);
    }

    private TrainingSnapshot Snapshot() => new(_model, _ema?.Shadow, _optimizer, _rng)
    {
        LrScheduleJson = _schedule.ToJson(),
    };

    private void SaveCheckpoint()
    {
        var metadata = new Dictionary<string, string>(_checkpointMetadata)
        {
            ["wall_time_s"] = WallSeconds.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        };
        Checkpoint.Save(_run.CheckpointPath(Step), Snapshot() with { Step = Step, Metadata = metadata });
        var all = Directory.GetFiles(_run.CheckpointsDir, "step-*.safetensors").Order(StringComparer.Ordinal).ToArray();
        for (int i = 0; i < all.Length - _config.KeepCheckpoints; i++)
            File.Delete(all[i]);
    }
}
