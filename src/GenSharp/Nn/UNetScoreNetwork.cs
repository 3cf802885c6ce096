using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Nn;

/// <summary>
/// s_theta(x, sigma) for images: NCSNv2's noise-conditional score network (SPEC §4, technique 3) built on the
/// reference U-Net "ddpm-unet" (SPEC §3.2), unchanged:
///
///   c     = <see cref="EmbeddingScale"/> * ln(sigma)          (B)   the U-Net's "timestep" input
///   u     = UNet(x, c)                                       (B, C, H, W)
///   s     = u / sigma                                        (B, C, H, W)
///
/// The noise level enters through the U-Net's sinusoidal time embedding, fed with a scaled log-sigma
/// (a continuous input: any sigma can be asked for, not only the trained levels). The scale 250 maps
/// sigma in [0.01, 50] to c in [-1151, 978], a span like the 0..999 timesteps the embedding sees in
/// DDPM, so adjacent NCSNv2 levels (ratio ~1.08) are ~20 apart. Dividing by sigma is technique 3: the
/// true score of p_sigma has norm ~ sqrt(D) / sigma, so the U-Net only has to produce an output of
/// unit scale at every level (sigma s(x~, sigma) ~ -z in denoising score matching).
/// The state-dict names are the U-Net's under <c>unet.</c>.
/// </summary>
public sealed class UNetScoreNetwork : nn.Module<Tensor, Tensor, Tensor>
{
    /// <summary>c = EmbeddingScale * ln(sigma) is what the U-Net's time embedding receives.</summary>
    public const double EmbeddingScale = 250.0;

    private readonly UNet unet;

    public UNetScoreNetwork(UNetConfig config) : base(nameof(UNetScoreNetwork))
    {
        unet = new UNet(config);
        RegisterComponents();
    }

    public UNetConfig Config => unet.Config;

    /// <summary>The inner U-Net u(x, c), so that s(x, sigma) = u(x, c(sigma)) / sigma.</summary>
    public UNet UNet => unet;

    /// <summary>The U-Net's embedding input for noise levels sigma (B): c = 250 ln(sigma), float32.</summary>
    public static Tensor EmbeddingInput(Tensor sigma)
    {
        using var scope = NewDisposeScope();
        return (EmbeddingScale * sigma.to_type(ScalarType.Float32).log()).MoveToOuterDisposeScope();
    }

    /// <param name="x">(B, C, H, W) noisy images x~ = x + sigma z</param>
    /// <param name="sigma">(B) noise levels, > 0</param>
    /// <returns>(B, C, H, W) the score estimate s_theta(x~, sigma) ~ grad log p_sigma(x~)</returns>
    public override Tensor forward(Tensor x, Tensor sigma)
    {
        if (sigma.dim() != 1 || sigma.shape[0] != x.shape[0])
            throw new ConfigException($"score network: sigma of shape ({string.Join(", ", sigma.shape)}) for a batch of {x.shape[0]}; " +
                $"expected ({x.shape[0]})");
        using var scope = NewDisposeScope();
        var u = unet.call(x, EmbeddingInput(sigma));                                   // (B, C, H, W)
        return (u / sigma.to_type(u.dtype).reshape(-1, 1, 1, 1)).MoveToOuterDisposeScope(); // s = u / sigma
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) unet.Dispose();
        base.Dispose(disposing);
    }
}
