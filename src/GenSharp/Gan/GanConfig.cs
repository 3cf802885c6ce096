using GenSharp.Gan.Losses;
using GenSharp.Training;

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

    /// <summary>
    /// The shared settings: data <c>fashion-mnist[:DIR]</c>, 20 epochs; batch and learning rate are the objective's
    /// (<see cref="ForLoss"/>, <see cref="GanTrainingDefaults"/>); no warm-up or decay, no gradient clipping; EMA of the
    /// generator off (sample the trained generator, as the course does); 2,000 samples scored after each epoch and 10,000 at
    /// the end.
    /// </summary>
    public TrainingSettings Training { get; init; } = TrainingSettings.ForEpochs(20) with { CheckpointEvery = 500 };

    /// <summary>The Fashion-MNIST folder of the training data (null: the Debian package's).</summary>
    public string? DataDir() => Training.FashionMnistDirectory();

    /// <summary>Keep only the first N training images (0 = all 60,000); for quick checks.</summary>
    public int TrainLimit { get; init; }

    /// <summary>ns, minimax, wgan, wgan-gp or hinge (<see cref="GanLosses"/>).</summary>
    public string Loss { get; init; } = "ns";

    public string? Optimizer { get; init; }
    public double? Beta1 { get; init; }
    public double? Beta2 { get; init; }
    public int? NCritic { get; init; }

    /// <summary>WGAN's weight-clipping bound c.</summary>
    public double Clip { get; init; } = 0.01;

    /// <summary>WGAN-GP's penalty weight lambda.</summary>
    public double GpLambda { get; init; } = 10;

    /// <summary>Instance noise on the discriminator's inputs (0 = off), annealed to 0 over training.</summary>
    public InstanceNoise InstanceNoise { get; init; } = new();

    public GanNetworksConfig Network { get; init; } = new();

    /// <summary>SHA-256 of the training images and labels.</summary>
    public string DataHash { get; init; } = "";

    public Dictionary<string, string> Environment { get; init; } = [];

    /// <summary>The objective with this configuration's hyper-parameters.</summary>
    public IGanLoss CreateLoss() => GanLosses.Create(Loss, new GanLossOptions(Clip, GpLambda));

    /// <summary>A configuration for <paramref name="loss"/> with that objective's batch size and learning rate.</summary>
    public static GanConfig ForLoss(string loss)
    {
        var config = new GanConfig { Loss = loss };
        var d = config.CreateLoss().Defaults;
        return config with { Training = config.Training with { Batch = d.Batch, Lr = d.Lr } };
    }

    /// <summary>Fills the optimiser settings left null from the objective's defaults.</summary>
    public GanConfig WithLossDefaults()
    {
        var d = CreateLoss().Defaults;
        return this with
        {
            Optimizer = Optimizer ?? d.Optimizer,
            Beta1 = Beta1 ?? d.Beta1,
            Beta2 = Beta2 ?? d.Beta2,
            NCritic = NCritic ?? d.NCritic,
        };
    }

    public GanConfig Validate()
    {
        CreateLoss();
        Training.Validate();
        if (Training.Epochs < 1) throw new ConfigException($"--epochs {Training.Epochs}: must be at least 1 (a GAN run counts epochs)");
        if (TrainLimit < 0) throw new ConfigException($"--train-limit {TrainLimit}: must be >= 0 (0 = all)");
        Limits.Check("--n-critic", NCritic ?? 1, 1, Limits.MaxDepth);
        if (Optimizer is not (null or "adam" or "rmsprop")) throw new ConfigException($"--optimizer {Optimizer}: use adam or rmsprop");
        if (Beta1 is { } b1 && !(b1 >= 0 && b1 < 1)) throw new ConfigException($"--beta1 {b1}: must be in [0, 1)");
        if (Beta2 is { } b2 && !(b2 >= 0 && b2 < 1)) throw new ConfigException($"--beta2 {b2}: must be in [0, 1)");
        if (NCritic is < 1) throw new ConfigException($"--n-critic {NCritic}: must be at least 1");
        if (Training.FinalEvalSamples is < 100 or > 10_000)
            throw new ConfigException($"--final-eval-n {Training.FinalEvalSamples}: must be between 100 and 10000 (the test set's size)");
        InstanceNoise.Validate();
        Network.Validate();
        return this;
    }
}
