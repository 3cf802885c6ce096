using GenSharp.Gan.Losses;

namespace GenSharp.Gan;

/// <summary>
/// Everything that defines a GAN run on Fashion-MNIST (docs/gans.md); saved (resolved) as config.json.
/// Optimiser settings left null take the objective's defaults (<see cref="GanTrainingDefaults"/>:
/// the course's RMSProp 5e-5, n_critic 5, batch 64 for WGAN; Adam 1e-4 (0, 0.9), n_critic 5 for WGAN-GP;
/// Adam 2e-4 (0.5, 0.999) otherwise). One training step is one generator update, preceded by
/// n_critic discriminator updates, each on a fresh real batch; an epoch is one pass of the
/// discriminator over the 60,000 training images.
/// </summary>
public sealed record GanConfig
{
    /// <summary>The model family tag written to config.json.</summary>
    public const string Kind = "gan-fmnist";

    public string Model { get; init; } = Kind;

    /// <summary>Fashion-MNIST folder (null: the Debian package's).</summary>
    public string? DataDir { get; init; }

    /// <summary>Keep only the first N training images (0 = all 60,000); for quick checks.</summary>
    public int TrainLimit { get; init; }

    /// <summary>ns, minimax, wgan, wgan-gp or hinge (<see cref="GanLosses"/>).</summary>
    public string Loss { get; init; } = "ns";

    public long Seed { get; init; }
    public int Epochs { get; init; } = 20;
    public int? Batch { get; init; }
    public string? Optimizer { get; init; }
    public double? Lr { get; init; }
    public double? Beta1 { get; init; }
    public double? Beta2 { get; init; }
    public int? NCritic { get; init; }

    /// <summary>WGAN's weight-clipping bound c.</summary>
    public double Clip { get; init; } = 0.01;

    /// <summary>WGAN-GP's penalty weight lambda.</summary>
    public double GpLambda { get; init; } = 10;

    /// <summary>Instance noise on the discriminator's inputs (0 = off), annealed to 0 over training.</summary>
    public InstanceNoise InstanceNoise { get; init; } = new();

    /// <summary>EMA decay of the generator's weights used for sampling (0 = off: sample the trained generator, as the course does).</summary>
    public double EmaDecay { get; init; }

    public GanNetworksConfig Network { get; init; } = new();

    public int LogEvery { get; init; } = 50;
    public int CheckpointEvery { get; init; } = 500;

    /// <summary>Generated images scored at the end of every epoch (FD, KID, precision/recall, class histogram) when the feature network is
    /// present.</summary>
    public int EpochEvalSamples { get; init; } = 2000;

    /// <summary>Generated images scored by the final evaluation (against as many test images, at most 10,000).</summary>
    public int EvalSamples { get; init; } = 10_000;

    /// <summary>SHA-256 of the training images and labels.</summary>
    public string DataHash { get; init; } = "";

    public Dictionary<string, string> Environment { get; init; } = [];

    /// <summary>The objective with this configuration's hyper-parameters.</summary>
    public IGanLoss CreateLoss() => GanLosses.Create(Loss, new GanLossOptions(Clip, GpLambda));

    /// <summary>Fills the optimiser settings left null from the objective's defaults.</summary>
    public GanConfig WithLossDefaults()
    {
        var d = CreateLoss().Defaults;
        return this with
        {
            Batch = Batch ?? d.Batch,
            Optimizer = Optimizer ?? d.Optimizer,
            Lr = Lr ?? d.Lr,
            Beta1 = Beta1 ?? d.Beta1,
            Beta2 = Beta2 ?? d.Beta2,
            NCritic = NCritic ?? d.NCritic,
        };
    }

    public GanConfig Validate()
    {
        CreateLoss();
        if (Epochs < 1) throw new ConfigException($"--epochs {Epochs}: must be at least 1");
        if (TrainLimit < 0) throw new ConfigException($"--train-limit {TrainLimit}: must be >= 0 (0 = all)");
        if (Batch is < 2) throw new ConfigException($"--batch {Batch}: must be at least 2");
        if (Batch is { } batch) Limits.Check("--batch", batch, 2, Limits.MaxBatch);
        Limits.Check("--epochs", Epochs, 1, Limits.MaxEpochs);
        Limits.Check("--n-critic", NCritic ?? 1, 1, Limits.MaxDepth);
        if (Optimizer is not (null or "adam" or "rmsprop")) throw new ConfigException($"--optimizer {Optimizer}: use adam or rmsprop");
        if (Lr is { } lr && !(lr > 0)) throw new ConfigException($"--lr {lr}: must be positive");
        if (Beta1 is { } b1 && !(b1 >= 0 && b1 < 1)) throw new ConfigException($"--beta1 {b1}: must be in [0, 1)");
        if (Beta2 is { } b2 && !(b2 >= 0 && b2 < 1)) throw new ConfigException($"--beta2 {b2}: must be in [0, 1)");
        if (NCritic is < 1) throw new ConfigException($"--n-critic {NCritic}: must be at least 1");
        if (!(EmaDecay >= 0 && EmaDecay < 1)) throw new ConfigException($"--ema-decay {EmaDecay}: must be in [0, 1) (0 = off)");
        if (LogEvery < 1 || CheckpointEvery < 1) throw new ConfigException("--log-every and --checkpoint-every must be at least 1");
        if (EpochEvalSamples < 0) throw new ConfigException($"--epoch-eval-samples {EpochEvalSamples}: must be >= 0 (0 = off)");
        if (EvalSamples is < 100 or > 10_000) throw new ConfigException($"--eval-samples {EvalSamples}: must be between 100 and 10000 (the test " +
            $"set's size)");
        InstanceNoise.Validate();
        Network.Validate();
        return this;
    }
}
