using GenSharp.Training;

namespace GenSharp.Vae;

/// <summary>
/// Everything that defines a VAE run on Fashion-MNIST (docs/vae.md); saved (resolved) as config.json.
/// Defaults: flat 16-dimensional latent, Bernoulli likelihood, Adam(W) lr 1e-3 with warm-up and cosine
/// decay, batch 128, 10 epochs.
/// </summary>
public sealed record VaeConfig
{
    public const string Kind = "vae-fmnist";

    public string Model { get; init; } = Kind;

    /// <summary>
    /// The shared settings: data <c>fashion-mnist[:DIR]</c>, 10 epochs of batch 128, Adam(W) 1e-3 with 100 warm-up steps and
    /// cosine decay, no gradient clipping, no EMA; 2,000 prior samples scored after each epoch and 10,000 at the end.
    /// </summary>
    public TrainingSettings Training { get; init; } =
        TrainingSettings.ForEpochs(10) with { Batch = 128, Lr = 1e-3, WarmupSteps = 100, LrDecay = "cosine" };

    /// <summary>The Fashion-MNIST folder of the training data (null: the Debian package's).</summary>
    public string? DataDir() => Training.FashionMnistDirectory();

    /// <summary>Keep only the first N training images (0 = all 60,000).</summary>
    public int TrainLimit { get; init; }

    /// <summary>Score the ELBO on only the first N test images (0 = all 10,000); for quick checks.</summary>
    public int TestLimit { get; init; }

    /// <summary>Weight of the KL term (1 = the ELBO; other values give a beta-VAE, whose logged ELBO still uses weight 1).</summary>
    public double KlWeight { get; init; } = 1.0;

    public VaeNetworkConfig Network { get; init; } = new();
    public string DataHash { get; init; } = "";
    public Dictionary<string, string> Environment { get; init; } = [];

    public VaeConfig Validate()
    {
        Training.Validate();
        if (Training.Epochs < 1) throw new ConfigException($"--epochs {Training.Epochs}: must be at least 1 (a VAE run counts epochs)");
        if (Training.EmaDecay != 0) throw new ConfigException($"--ema-decay {Training.EmaDecay}: the VAE keeps no EMA; leave it at 0");
        if (TrainLimit < 0) throw new ConfigException($"--train-limit {TrainLimit}: must be >= 0 (0 = all)");
        if (TestLimit < 0) throw new ConfigException($"--test-limit {TestLimit}: must be >= 0 (0 = all)");
        if (!(KlWeight >= 0)) throw new ConfigException($"--kl-weight {KlWeight}: must be >= 0");
        if (Training.FinalEvalSamples is < 100 or > 10_000)
            throw new ConfigException($"--final-eval-n {Training.FinalEvalSamples}: must be between 100 and 10000 (the test set's size)");
        Network.Validate();
        return this;
    }
}
