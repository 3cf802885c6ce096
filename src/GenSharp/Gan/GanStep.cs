using GenSharp.Data;
using GenSharp.Gan.Losses;
using GenSharp.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenSharp.Gan;

/// <summary>
/// One adversarial training step, for <see cref="Trainer"/>: n_critic discriminator updates (each: fresh real batch,
/// fresh z, G(z) computed without a graph, D's loss [+ penalty], D's optimiser step, clipping if the objective asks)
/// followed by one generator update (fresh z, D frozen, G's loss, G's optimiser step). No graph is reused across an
/// optimiser step, and D's parameters collect no gradient from G's loss. Reports both losses, the critic's Wasserstein
/// estimate, the penalty and the mean outputs; the trainer owns checkpoints of both optimisers ("generator" is the main
/// one, "discriminator" the named one), metrics, resume and the per-epoch callbacks. One dispose scope per update.
/// </summary>
public sealed class GanStep : ITrainingStep, IDisposable
{
    private readonly GanConfig _config;
    private readonly GanPair _pair;
    private readonly IGanLoss _loss;
    private readonly optim.Optimizer _gOpt;
    private readonly optim.Optimizer _dOpt;
    private readonly Generator _rng;
    private readonly ImageDataset _train;
    private readonly BatchSampler _sampler;
    private readonly Parameter[] _dParams;

    /// <param name="config">A resolved configuration (<see cref="GanConfig.WithLossDefaults"/>).</param>
    /// <param name="train">Training images in [-1, 1] on the training device.</param>
    public GanStep(GanConfig config, GanPair pair, IGanLoss loss, optim.Optimizer generatorOptimizer, optim.Optimizer discriminatorOptimizer,
        Generator rng, ImageDataset train)
    {
        _config = config;
        _pair = pair;
        _loss = loss;
        _gOpt = generatorOptimizer;
        _dOpt = discriminatorOptimizer;
        _rng = rng;
        _train = train;
        Batch = config.Training.Batch;
        NCritic = config.NCritic ?? throw new ArgumentException("unresolved GAN config: call WithLossDefaults()");
        _sampler = new BatchSampler(train.Count, Batch, config.Training.Seed);
        StepsPerEpoch = Math.Max(1, _sampler.BatchesPerEpoch / NCritic);
        TotalSteps = (long)config.Training.Epochs * StepsPerEpoch;
        _dParams = pair.Discriminator.parameters().ToArray();
        Optimizers = [new("generator", generatorOptimizer), new("discriminator", discriminatorOptimizer)];
    }

    public int Batch { get; }
    public int NCritic { get; }

    /// <summary>Generator steps per epoch (one epoch = the discriminator sees each training image about once).</summary>
    public int StepsPerEpoch { get; }

    public long TotalSteps { get; }

    public IReadOnlyList<KeyValuePair<string, optim.Optimizer>> Optimizers { get; }

    public string DivergenceAdvice => "lower --lr or try --loss wgan-gp";

    /// <summary>The trainer's settings for this step: images per step count both networks' batches; no gradient clipping.</summary>
    public TrainerConfig TrainerConfig() => _config.Training.LoopConfig(TotalSteps, Batch * (NCritic + 1), gradClip: 0);

    public void Dispose() => _sampler.Dispose();

    public StepResult Run(long step)
    {
        double sigma = _config.InstanceNoise.SigmaAt(step, TotalSteps);
        double dLoss = 0, penalty = 0, dReal = 0, dFake = 0;
        for (int k = 0; k < NCritic; k++)
        {
            DiscriminatorStepStats d;
            using (var scope = NewDisposeScope())
            {
                var real = _train.Batch(_sampler.BatchIndices(step * NCritic + k).to(_train.Images.device));
                d = DiscriminatorStep(real, sigma);
            }
            if (!double.IsFinite(d.Loss)) return StepResult.Of(("d_loss", d.Loss));
            dLoss += d.Loss; penalty += d.Penalty; dReal += d.DReal; dFake += d.DFake;
        }
        double g = GeneratorStep(sigma);
        return StepResult.Of(
            ("d_loss", dLoss / NCritic),
            ("g_loss", g),
            ("wasserstein_estimate", _loss.IsCritic ? (dReal - dFake) / NCritic : null),
            ("gradient_penalty", _loss is WganGpLoss ? penalty / NCritic : null),
            ("d_real", dReal / NCritic),
            ("d_fake", dFake / NCritic));
    }

    public void Annotate(long completedSteps, IDictionary<string, object?> record)
    {
        record["epoch"] = Math.Round((double)completedSteps / StepsPerEpoch, 4);
        record["instance_noise"] = _config.InstanceNoise.SigmaAt(completedSteps - 1, TotalSteps);
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
}

/// <summary>What one discriminator update measured: its loss (without penalty), the penalty, mean D(real), mean D(fake).</summary>
public readonly record struct DiscriminatorStepStats(double Loss, double Penalty, double DReal, double DFake);
