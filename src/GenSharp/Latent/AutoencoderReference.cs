using GenSharp.Training;
using GenSharp.Vae;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Latent;

/// <summary>
/// The autoencoder a latent-diffusion run was created with (docs/latent-diffusion.md#autoencoder): a VAE run (<c>train vae --latent-dim 0</c>,
/// spatial latent C x 7 x 7), the checkpoint file it had then and that file's SHA-256. Loading refuses, with one line, a checkpoint that was
/// removed or changed since, so the latents an LDM was trained on cannot silently change under it.
/// </summary>
/// <param name="Run">The VAE run folder (absolute).</param>
/// <param name="Checkpoint">The checkpoint's file name under the run's checkpoints/.</param>
/// <param name="Sha256">Its SHA-256 (hex) when the LDM run was created.</param>
public sealed record AutoencoderReference(string Run, string Checkpoint, string Sha256)
{
    /// <summary>The latest checkpoint of the VAE run at <paramref name="root"/>; refuses a run that is not a spatial-latent VAE.</summary>
    public static AutoencoderReference Of(string root)
    {
        var run = RunDirectory.Open(root);
        string kind = RunConfigFile.ReadKind(run);
        if (kind != VaeConfig.Kind)
            throw new ConfigException($"--autoencoder {root}: a {kind} run; give a VAE run with a spatial latent (gensharp train vae " +
                "--latent-dim 0)");
        var config = RunConfigFile.Read<VaeConfig>(run).Validate();
        if (!config.Network.Spatial)
            throw new ConfigException($"--autoencoder {root}: its latent is flat ({config.Network.FlatDim} dimensions); latent diffusion needs " +
                "the spatial C x 7 x 7 latent (gensharp train vae --latent-dim 0 --latent-channels 4)");
        string checkpoint = Training.Checkpoint.FindLatest(run.CheckpointsDir)
            ?? throw new ConfigException($"--autoencoder {root}: no checkpoint yet; train it first (gensharp train vae ... --resume)");
        return new AutoencoderReference(Path.GetFullPath(run.Root), Path.GetFileName(checkpoint), Evaluation.FeatureExtractor.Sha256Of(checkpoint));
    }

    /// <summary>The VAE's network configuration (from its run's config.json).</summary>
    public VaeNetworkConfig Network() => RunConfigFile.Read<VaeConfig>(RunDirectory.Open(Run)).Validate().Network;

    /// <summary>The VAE (eval mode) from the recorded checkpoint, after checking that the file is the one the run was created with.</summary>
    public VariationalAutoencoder Load(Device device)
    {
        string path = Path.Combine(Run, "checkpoints", Checkpoint);
        if (!File.Exists(path))
            throw new ConfigException($"autoencoder checkpoint {path} is gone; this latent-diffusion run needs the VAE it was created with");
        if (Evaluation.FeatureExtractor.Sha256Of(path) != Sha256)
            throw new ConfigException($"autoencoder checkpoint {path} changed since this latent-diffusion run was created (SHA-256 differs); " +
                "restore it or train a new LDM run");
        var vae = new VariationalAutoencoder(Network());
        vae.to(device);
        Training.Checkpoint.LoadModule(path, "model", vae);
        vae.eval();
        return vae;
    }
}
