using System.Diagnostics;
using GenSharp.Data;
using GenSharp.Gan.Losses;
using GenSharp.Output;
using GenSharp.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenSharp.Gan;

/// <summary>
/// The adversarial training loop. One step = n_critic discriminator updates (each: fresh real batch,
/// fresh z, G(z) computed without a graph, D's loss [+ penalty], D's optimiser step, clipping if the
/// objective asks) followed by one generator update (fresh z, D frozen, G's loss, G's optimiser step).
/// No graph is reused across an optimiser step, and D's parameters collect no gradient from G's loss.
/// Owns metrics.jsonl (both losses, the critic's Wasserstein estimate, the penalty, mean logits),
/// atomic checkpoints of both networks and both optimisers (plus EMA and RNG), exact resume, progress,
/// and a callback at the end of every epoch. One dispose scope per update keeps memory flat.
/// </summary>
public sealed class GanTrainer
{
    private readonly GanConfig _config;
    private readonly GanPair _pair;
    private readonly Ema? _ema;
    private readonly IGanLoss _loss;
    private readonly optim.Optimizer _gOpt;
    private readonly optim.Optimizer _dOpt;
    private readonly Generator _rng;
    private readonly ImageDataset _train;
    private readonly BatchSampler _sampler;
    private readonly RunDirectory _run;
    private readonly Parameter[] _dParams;
    private readonly List<Action<int, long>> _epochCallbacks = [];

    /// <param name="config">A resolved configuration (<see cref="GanConfig.WithLossDefaults"/>).</param>
    /// <param name="train">Training images in [-1, 1] on the training device.</param>
    public GanTrainer(GanConfig config, GanPair pair, Ema? ema, IGanLoss loss, optim.Optimizer generatorOptimizer,
        optim.Optimizer discriminatorOptimizer, Generator rng, ImageDataset train, RunDirectory run)
    {
        _config = config;
        _pair = pair;
        _ema = ema;
        _loss = loss;
        _gOpt = generatorOptimizer;
        _dOpt = discriminatorOptimizer;
        _rng = rng;
        _train = train;
        _run = run;
        Batch = config.Batch ?? throw new ArgumentException("unresolved GAN config: call WithLossDefaults()");
        NCritic = config.NCritic ?? throw new ArgumentException("unresolved GAN config: call WithLossDefaults()");
        _sampler = new BatchSampler(train.Count, Batch, config.Seed);
        StepsPerEpoch = Math.Max(1, _sampler.BatchesPerEpoch / NCritic);
        TotalSteps = (long)config.Epochs * StepsPerEpoch;
        _dParams = pair.Discriminator.parameters().ToArray();
    }

    public int Batch { get; }
    public int NCritic { get; }

    /// <summary>Generator steps per epoch (one epoch = the discriminator sees each training image about once).</summary>
    public int StepsPerEpoch { get; }

    public long TotalSteps { get; }

    /// <summary>Generator steps completed.</summary>
    public long Step { get; private set; }

    public double WallSeconds { get; private set; }

    /// <summary>Runs <paramref name="action"/>(epoch, step) at the end of every epoch.</summary>
    public GanTrainer OnEpoch(Action<int, long> action)
    {
        _epochCallbacks.Add(action);
        return this;
    }

    /// <summary>One discriminator update on <paramref name="real"/> (B, 1, 28, 28); returns its loss, penalty and mean outputs.</summary>
    public DiscriminatorStepStats DiscriminatorStep(Tensor real, double sigma)
    {
        using var scope = NewDisposeScope();
        Tensor fake;
        using (no_grad()) fake = _pair.Generator.call(randn([real.shape[0], _config.Network.ZDim], generator: _rng, device: real.device));
        var xReal = InstanceNoise.Apply(real, sigma, _rng);
        var xFake = InstanceNoise.Apply(fake, sigma, _rng);
        var dReal = _pair.Discriminator.call(xReal);
        var dFake = _pair.Discriminator.call(xFake);
        var loss = _loss.DiscriminatorLoss(dReal, dFake);
        var penalty = _loss.Penalty(x => _pair.Discriminator.call(x), xReal, xFake, _rng);
        var total = penalty is null ? loss : loss + penalty;
        _dOpt.zero_grad();
        total.backward();
        _dOpt.step();
        _loss.AfterDiscriminatorStep(_pair.Discriminator);
        return new DiscriminatorStepStats(loss.item<float>(), penalty?.item<float>() ?? 0, dReal.mean().item<float>(), dFake.mean().item<float>());
    }

    /// <summary>One generator update on a fresh z with the discriminator frozen; returns the generator's loss.</summary>
    public double GeneratorStep(double sigma)
    {
        using var scope = NewDisposeScope();
        foreach (var p in _dParams) p.requires_grad = false;
        try
        {
            var device = _dParams[0].device;
            var fake = _pair.Generator.call(randn([Batch, _config.Network.ZDim], generator: _rng, device: device));
            var dFake = _pair.Discriminator.call(InstanceNoise.Apply(fake, sigma, _rng));
            var loss = _loss.GeneratorLoss(dFake);
            _gOpt.zero_grad();
            loss.backward();
            _gOpt.step();
            return loss.item<float>();
        }
        finally
        {
            foreach (var p in _dParams) p.requires_grad = true;
        }
    }

    /// <summary>Loads the latest checkpoint, if any; returns its step (0 if none).</summary>
    public long Resume()
    {
        string? latest = Checkpoint.FindLatest(_run.CheckpointsDir);
        if (latest is null) return 0;
        var loaded = Checkpoint.Load(latest, Snapshot(), TotalSteps);
        Step = loaded.Step;
        if (loaded.Metadata.TryGetValue("wall_time_s", out string? w) && double.TryParse(w, System.Globalization.CultureInfo.InvariantCulture, out double wall))
            WallSeconds = wall;
        _run.Metrics.TruncateAfter(Step);
        _run.EvalCurve.TruncateAfter(Step);
        return Step;
    }

    /// <summary>Trains from <see cref="Step"/> to <see cref="TotalSteps"/>.</summary>
    public void Run(string description, bool quiet)
    {
        _pair.train();
        var clock = Stopwatch.StartNew();
        double wallAtStart = WallSeconds;
        var window = new Window();
        var windowClock = Stopwatch.StartNew();
        long windowStart = Step;
        using var progress = ProgressReporter.Start(description, TotalSteps, quiet);
        progress.Report(Step);
        while (Step < TotalSteps)
        {
            double sigma = _config.InstanceNoise.SigmaAt(Step, TotalSteps);
            for (int k = 0; k < NCritic; k++)
            {
                DiscriminatorStepStats d;
                using (var scope = NewDisposeScope())
                {
                    var real = _train.Batch(_sampler.BatchIndices(Step * NCritic + k).to(_train.Images.device));
                    d = DiscriminatorStep(real, sigma);
                }
                Diverged(d.Loss, "discriminator");
                window.Add(d);
            }
            double g = GeneratorStep(sigma);
            Diverged(g, "generator");
            window.GLoss += g;
            window.GCount++;
            _ema?.Update(Step);
            Step++;
            WallSeconds = wallAtStart + clock.Elapsed.TotalSeconds;

            bool last = Step == TotalSteps;
            if (Step % _config.LogEvery == 0 || last)
            {
                double seconds = windowClock.Elapsed.TotalSeconds;
                var record = new Dictionary<string, object?>
                {
                    ["step"] = Step,
                    ["epoch"] = Math.Round((double)Step / StepsPerEpoch, 4),
                    ["d_loss"] = window.DLoss / window.DCount,
                    ["g_loss"] = window.GLoss / window.GCount,
                    ["wasserstein_estimate"] = _loss.IsCritic ? (window.DReal - window.DFake) / window.DCount : null,
                    ["gradient_penalty"] = _loss is WganGpLoss ? window.Penalty / window.DCount : null,
                    ["d_real"] = window.DReal / window.DCount,
                    ["d_fake"] = window.DFake / window.DCount,
                    ["instance_noise"] = sigma,
                    ["wall_time_s"] = Math.Round(WallSeconds, 3),
                    ["images_per_s"] = Math.Round((Step - windowStart) * (double)Batch * (NCritic + 1) / Math.Max(seconds, 1e-9), 1),
                };
                _run.Metrics.Append(record);
                progress.Report(Step, new Dictionary<string, double> { ["d"] = window.DLoss / window.DCount, ["g"] = window.GLoss / window.GCount });
                window = new Window();
                windowClock.Restart();
                windowStart = Step;
            }
            if (Step % _config.CheckpointEvery == 0 || Step % StepsPerEpoch == 0 || last)
                SaveCheckpoint();
            if (Step % StepsPerEpoch == 0 || last)
            {
                int epoch = (int)Math.Ceiling((double)Step / StepsPerEpoch);
                foreach (var action in _epochCallbacks) action(epoch, Step);
                _pair.train();
            }
        }
        progress.Report(Step);
    }

    private static void Diverged(double value, string who)
    {
        if (!double.IsFinite(value))
            throw new GenSharpException($"GAN training diverged: the {who} loss is {value}; lower --lr or try --loss wgan-gp", 4);
    }

    private TrainingSnapshot Snapshot() => new(_pair, _ema?.Shadow, _gOpt, _rng)
    {
        Optimizers = new Dictionary<string, optim.Optimizer> { ["discriminator"] = _dOpt },
    };

    private void SaveCheckpoint()
    {
        var metadata = new Dictionary<string, string>
        {
            ["wall_time_s"] = WallSeconds.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            ["config"] = System.Text.Json.JsonSerializer.Serialize(_config, JsonDefaults.Compact),
        };
        Checkpoint.Save(_run.CheckpointPath(Step), Snapshot() with { Step = Step, Metadata = metadata });
        var all = Directory.GetFiles(_run.CheckpointsDir, "step-*.safetensors").Order(StringComparer.Ordinal).ToArray();
        for (int i = 0; i < all.Length - 2; i++) File.Delete(all[i]);
    }

    private sealed class Window
    {
        public double DLoss, Penalty, DReal, DFake, GLoss;
        public int DCount, GCount;

        public void Add(DiscriminatorStepStats d)
        {
            DLoss += d.Loss; Penalty += d.Penalty; DReal += d.DReal; DFake += d.DFake; DCount++;
        }
    }
}

/// <summary>What one discriminator update measured: its loss (without penalty), the penalty, mean D(real), mean D(fake).</summary>
public readonly record struct DiscriminatorStepStats(double Loss, double Penalty, double DReal, double DFake);
