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
    public string? DataDir { get; init; }

    /// <summary>Keep only the first N training images (0 = all 60,000).</summary>
    public int TrainLimit { get; init; }

    /// <summary>Score the ELBO on only the first N test images (0 = all 10,000); for quick checks.</summary>
    public int TestLimit { get; init; }

    public long Seed { get; init; }
    public int Epochs { get; init; } = 10;
    public int Batch { get; init; } = 128;
    public double Lr { get; init; } = 1e-3;
    public long WarmupSteps { get; init; } = 100;
    public string LrDecay { get; init; } = "cosine";

    /// <summary>Gradient-norm clip (0 = off).</summary>
    public double GradClip { get; init; }

    /// <summary>Weight of the KL term (1 = the ELBO; other values give a beta-VAE, whose logged ELBO still uses weight 1).</summary>
    public double KlWeight { get; init; } = 1.0;

    public VaeNetworkConfig Network { get; init; } = new();
    public int LogEvery { get; init; } = 50;
    public int CheckpointEvery { get; init; } = 1000;

    /// <summary>
    /// Prior samples scored after every epoch (FD beside its floor at the same n, KID, precision/recall, class histogram)
    /// when the feature network is present; 0 = off. Same option and default as the GAN's.
    /// </summary>
    public int EpochEvalSamples { get; init; } = 2000;

    /// <summary>Prior samples scored by the final evaluation (FD etc. when the feature network is present).</summary>
    public int EvalSamples { get; init; } = 10_000;

    public string DataHash { get; init; } = "";
    public Dictionary<string, string> Environment { get; init; } = [];

    public VaeConfig Validate()
    {
        if (Epochs < 1) throw new ConfigException($"--epochs {Epochs}: must be at least 1");
        if (Batch < 2) throw new ConfigException($"--batch {Batch}: must be at least 2");
        Limits.Check("--batch", Batch, 2, Limits.MaxBatch);
        Limits.Check("--epochs", Epochs, 1, Limits.MaxEpochs);
        if (TrainLimit < 0) throw new ConfigException($"--train-limit {TrainLimit}: must be >= 0 (0 = all)");
        if (TestLimit < 0) throw new ConfigException($"--test-limit {TestLimit}: must be >= 0 (0 = all)");
        if (!(KlWeight >= 0)) throw new ConfigException($"--kl-weight {KlWeight}: must be >= 0");
        if (EpochEvalSamples < 0) throw new ConfigException($"--epoch-eval-samples {EpochEvalSamples}: must be >= 0 (0 = off)");
        if (EvalSamples is < 100 or > 10_000) throw new ConfigException($"--eval-samples {EvalSamples}: must be between 100 and 10000");
        Network.Validate();
        return this;
    }
}
