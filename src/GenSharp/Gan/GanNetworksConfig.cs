namespace GenSharp.Gan;

/// <summary>
/// Sizes of the GAN of the course (docs/gans.md#networks). The defaults are the course's exact layers: z = 64,
/// generator Linear 512 -> Linear 64*7*7 -> PixelShuffle(2) -> Conv 16->32 -> PixelShuffle(2) -> Conv 8->1;
/// discriminator Conv 1->32 k4 s2 -> Conv 32->64 k4 s2 -> Linear 3136->512 -> Linear 512->1.
/// </summary>
/// <param name="ZDim">Latent dimension of z ~ N(0, I).</param>
/// <param name="GeneratorHidden">Width of the generator's first linear layer (512).</param>
/// <param name="GeneratorChannels">Channels of the 7x7 map before the first PixelShuffle (64; a multiple of 8).</param>
/// <param name="DiscriminatorChannels">Channels of the discriminator's first conv (32; the second has twice as many).</param>
/// <param name="DiscriminatorHidden">Width of the discriminator's hidden linear layer (512).</param>
public sealed record GanNetworksConfig(
    int ZDim = 64,
    int GeneratorHidden = 512,
    int GeneratorChannels = 64,
    int DiscriminatorChannels = 32,
    int DiscriminatorHidden = 512)
{
    public GanNetworksConfig Validate()
    {
        if (ZDim < 1) throw new ConfigException($"--z-dim {ZDim}: must be at least 1");
        if (GeneratorHidden < 1) throw new ConfigException($"generator hidden width {GeneratorHidden}: must be at least 1");
        if (GeneratorChannels < 8 || GeneratorChannels % 8 != 0)
            throw new ConfigException($"generator channels {GeneratorChannels}: must be a positive multiple of 8 (each PixelShuffle(2) divides " +
                $"channels by 4, the conv between doubles them)");
        if (DiscriminatorChannels < 1) throw new ConfigException($"discriminator channels {DiscriminatorChannels}: must be at least 1");
        if (DiscriminatorHidden < 1) throw new ConfigException($"discriminator hidden width {DiscriminatorHidden}: must be at least 1");
        Limits.Check("--z-dim", ZDim, 1, Limits.MaxWidth);
        Limits.Check("generator hidden width", GeneratorHidden, 1, Limits.MaxWidth);
        Limits.Check("generator channels", GeneratorChannels, 8, Limits.MaxWidth);
        Limits.Check("discriminator channels", DiscriminatorChannels, 1, Limits.MaxWidth);
        Limits.Check("discriminator hidden width", DiscriminatorHidden, 1, Limits.MaxWidth);
        return this;
    }
}
