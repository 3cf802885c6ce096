using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Vae;

/// <summary>
/// Encoder and decoder held together (state-dict keys <c>encoder.*</c>, <c>decoder.*</c>). Each is a
/// separate module so that latent diffusion can reuse them as its autoencoder and ES-DDPM can use the
/// decoder on prior samples as its fast generator (load with <see cref="VaeRecipe.Load"/>).
/// </summary>
public sealed class VariationalAutoencoder : nn.Module
{
    private readonly VaeEncoder encoder;
    private readonly VaeDecoder decoder;

    public VariationalAutoencoder(VaeNetworkConfig config) : base(nameof(VariationalAutoencoder))
    {
        Config = config.Validate();
        encoder = new VaeEncoder(config);
        decoder = new VaeDecoder(config);
        RegisterComponents();
    }

    public VaeNetworkConfig Config { get; }
    public VaeEncoder Encoder => encoder;
    public VaeDecoder Decoder => decoder;

    /// <summary>n images in [-1, 1] decoded (mean) from z ~ N(0, I).</summary>
    public Tensor Sample(int n, Generator g, Device device)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var z = randn([n, .. Config.LatentShape], generator: g, device: device);
        return decoder.DecodeImage(z).MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) { encoder.Dispose(); decoder.Dispose(); }
        base.Dispose(disposing);
    }
}
