using GenSharp.Gan;
using GenSharp.Nn;
using GenSharp.Vae;

namespace GenSharp.Interop;

/// <summary>
/// What the Python loader (<c>interop/python/gensharp_pytorch.py</c>, docs/interop.md#pytorch) needs to rebuild a GenSharp network in
/// PyTorch: the model family (<see cref="Model"/>, a run's <c>model</c> tag) and the keyword arguments of its PyTorch class
/// (<see cref="Network"/>). Written as <c>export.json</c> beside the weights.
/// </summary>
public sealed record PyTorchArchitecture(string Model, IReadOnlyDictionary<string, object> Network)
{
    /// <summary>The reference U-Net of a DDPM run: <c>UNet(in_ch, ch, mults, num_res, attn_res, res, groups, dropout)</c>.</summary>
    public static PyTorchArchitecture Ddpm(UNetConfig c) => new(Diffusion.Images.ImageDdpmConfig.Kind, UNetArguments(c));

    /// <summary>NCSNv2's score network: <c>ScoreNetwork(**unet)</c>, weights under <c>unet.</c>.</summary>
    public static PyTorchArchitecture Ncsn(UNetConfig c) => new(Score.Images.ImageNcsnConfig.Kind, UNetArguments(c));

    /// <summary>The VAE: <c>VAE(width, latent_channels, flat_dim)</c>, weights under <c>encoder.</c> and <c>decoder.</c>.</summary>
    public static PyTorchArchitecture Vae(VaeNetworkConfig c) => new(VaeConfig.Kind, new Dictionary<string, object>
    {
        ["width"] = c.Width,
        ["latent_channels"] = c.LatentChannels,
        ["flat_dim"] = c.FlatDim,
    });

    /// <summary>The GAN: <c>GanPair(z_dim, generator_hidden, generator_channels, discriminator_channels, discriminator_hidden)</c>.</summary>
    public static PyTorchArchitecture Gan(GanNetworksConfig c) => new(GanConfig.Kind, new Dictionary<string, object>
    {
        ["z_dim"] = c.ZDim,
        ["generator_hidden"] = c.GeneratorHidden,
        ["generator_channels"] = c.GeneratorChannels,
        ["discriminator_channels"] = c.DiscriminatorChannels,
        ["discriminator_hidden"] = c.DiscriminatorHidden,
    });

    private static Dictionary<string, object> UNetArguments(UNetConfig c) => new()
    {
        ["in_ch"] = c.InChannels,
        ["ch"] = c.Channels,
        ["mults"] = c.Multipliers,
        ["num_res"] = c.ResBlocksPerLevel,
        ["attn_res"] = c.AttentionResolutions,
        ["res"] = c.Height, // the peer names attention levels by their height and runs on any H x W, as the U-Net does
        ["groups"] = c.Groups,
        ["dropout"] = c.Dropout,
    };
}
