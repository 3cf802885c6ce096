using GenSharp.Data;
using GenSharp.Diffusion;
using GenSharp.Diffusion.Conditioning;
using GenSharp.Diffusion.Samplers;
using GenSharp.Nn;
using GenSharp.Pipelines;

namespace GenSharp.Latent;

/// <summary>
/// Everything that defines a latent-diffusion run (docs/latent-diffusion.md); saved (resolved) as config.json. The diffusion is the image
/// DDPM's (schedule, L_simple, samplers) on the scaled latents of a VAE run (<see cref="Autoencoder"/>); the U-Net is the same code,
/// configured for the C x 7 x 7 latent. 7 is odd, so the U-Net has one level (no down- or up-sampling): by default width 64, two residual
/// blocks and self-attention at 7x7. The shared settings are <see cref="ImageRunConfig"/>'s.
/// </summary>
public sealed record LatentDiffusionConfig : ImageRunConfig
{
    /// <summary>The model family tag written to config.json.</summary>
    public const string Kind = "ldm-image";

    public LatentDiffusionConfig() => Model = Kind;

    /// <summary>The VAE run, checkpoint and its SHA-256 (filled in when the run is created from <c>--autoencoder RUN</c>).</summary>
    public AutoencoderReference? Autoencoder { get; init; }

    /// <summary>Encode and train on only the first N training images (0 = all).</summary>
    public int TrainLimit { get; init; }

    /// <summary>How images become latents: always <c>posterior-mean</c> (mu_phi(x), deterministic; no sampled z).</summary>
    public string Encoding { get; init; } = "posterior-mean";

    /// <summary>f = 1 / std of the training set's posterior means, measured when the run is created (0 before).</summary>
    public double ScaleFactor { get; init; }

    /// <summary>(C, 7, 7), the latent the U-Net sees (measured when the run is created).</summary>
    public int[] LatentShape { get; init; } = [];

    /// <summary>Noise schedule (docs/ddpm.md#noise-schedules): linear 1e-4..0.02 over T = 1000, as the image DDPM.</summary>
    public NoiseScheduleConfig Schedule { get; init; } = new();

    /// <summary>The U-Net on latents: one level (7 is odd), width 64, two residual blocks, attention at 7.</summary>
    public UNetConfig Network { get; init; } = new()
    {
        Channels = 64, Multipliers = [1], ResBlocksPerLevel = 2, AttentionResolutions = [7], Height = 7, Width = 7, InChannels = 4,
    };

    /// <summary>The sampler of grids and evaluations: DDIM-50 without clipping (latents are not bounded to [-1, 1]).</summary>
    public SamplerSpec Sampler { get; init; } = new(ClipX0: false);

    /// <summary>
    /// Class conditioning with classifier-free guidance (<c>--condition class</c>; docs/ddpm.md#classifier-free-guidance): the latents keep
    /// their images' labels and the U-Net its label embedding with the null label, as the pixel DDPM's; null (absent): unconditional.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public ConditioningConfig? Conditioning { get; init; }

    public override LatentDiffusionConfig Validate()
    {
        if (DataSpec.Parse(Training.Data) is DataSpec.Toy)
            throw new ConfigException($"--data {Training.Data}: latent diffusion needs images; use fashion-mnist or png:DIR");
        if (Flip) throw new ConfigException("--flip: latent diffusion trains on cached latents, which are not flipped images; leave it out");
        ValidateShared();
        if (TrainLimit < 0) throw new ConfigException($"--train-limit {TrainLimit}: must be >= 0 (0 = all images)");
        if (Encoding != "posterior-mean") throw new ConfigException($"encoding {Encoding}: only posterior-mean is implemented");
        if (!(ScaleFactor >= 0) || double.IsInfinity(ScaleFactor)) throw new ConfigException($"scale factor {ScaleFactor}: must be finite and >= 0");
        Schedule.Validate();
        Network.Validate();
        if (Sampler.ClipX0) throw new ConfigException("sampler clip_x0: latents are not bounded to [-1, 1]; latent samplers do not clip");
        Sampler.Validate(Schedule.Timesteps);
        if (Conditioning is { Kind: not ConditioningConfig.Class })
            throw new ConfigException($"--condition {Conditioning.Kind}: latent diffusion conditions on image classes only; use --condition class");
        Conditioning?.Validate(resolved: ImageShape.Length > 0); // class names are filled in when the run is created
        return this;
    }
}
