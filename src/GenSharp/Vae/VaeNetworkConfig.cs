namespace GenSharp.Vae;

/// <summary>
/// Shape of the convolutional VAE for 28x28x1 images (docs/vae.md#latent-options). The latent is either flat
/// (<see cref="FlatDim"/> &gt; 0: a vector, the classic VAE and the fast prior of ES-DDPM, docs/ddpm.md#early-stopped-ddpm) or
/// spatial (<see cref="FlatDim"/> = 0: <see cref="LatentChannels"/> x 7 x 7, the autoencoder of latent
/// diffusion, docs/ddpm.md#latent-diffusion).
/// </summary>
/// <param name="Width">Channels of the first conv (the second has twice as many).</param>
/// <param name="LatentChannels">Channels of a spatial 7x7 latent.</param>
/// <param name="FlatDim">Dimension of a flat latent; 0 selects the spatial latent.</param>
/// <param name="Likelihood">p(x|z): <c>bernoulli</c> (pixels in [0, 1] as probabilities) or <c>gaussian</c> (mean in [0, 1], one learned
/// sigma).</param>
public sealed record VaeNetworkConfig(int Width = 32, int LatentChannels = 4, int FlatDim = 16, string Likelihood = "bernoulli")
{
    public bool Spatial => FlatDim == 0;

    /// <summary>The latent's shape without the batch dimension: [FlatDim] or [LatentChannels, 7, 7].</summary>
    public long[] LatentShape => Spatial ? [LatentChannels, 7, 7] : [FlatDim];

    /// <summary>Number of latent dimensions.</summary>
    public long LatentSize => LatentShape.Aggregate(1L, (a, b) => a * b);

    public VaeNetworkConfig Validate()
    {
        if (Width < 1) throw new ConfigException($"--width {Width}: must be at least 1");
        if (FlatDim < 0) throw new ConfigException($"--latent-dim {FlatDim}: must be >= 0 (0 = spatial {LatentChannels}x7x7)");
        if (Spatial && LatentChannels < 1) throw new ConfigException($"--latent-channels {LatentChannels}: must be at least 1");
        Limits.Check("--width", Width, 1, Limits.MaxWidth);
        Limits.Check("--latent-dim", FlatDim, 0, Limits.MaxWidth);
        Limits.Check("--latent-channels", LatentChannels, Spatial ? 1 : 0, Limits.MaxWidth);
        if (Likelihood is not ("bernoulli" or "gaussian")) throw new ConfigException($"--likelihood {Likelihood}: use bernoulli or gaussian");
        return this;
    }
}
