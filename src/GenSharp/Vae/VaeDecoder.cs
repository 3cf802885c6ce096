using GenSharp.Nn;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenSharp.Vae;

/// <summary>
/// The decoder p(x|z): z (B, latent shape) -> Conv C->2w 3x3 (spatial) or Linear D->2w*49 (flat), SiLU
/// (2w, 7, 7) -> ConvTranspose 2w->w k4 s2 p1, SiLU (w, 14, 14) -> ConvTranspose w->w k4 s2 p1, SiLU
/// (w, 28, 28) -> Conv w->1 3x3: per-pixel logits a. Bernoulli: p(x_i = 1) = sigmoid(a_i) on pixels in
/// [0, 1]; Gaussian: mean sigmoid(a_i) in [0, 1] with one learned log sigma (<see cref="LogSigma"/>).
/// <see cref="DecodeImage"/> gives the image in [-1, 1] (the mean), the form diffusion models use.
/// </summary>
public sealed class VaeDecoder : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> input;
    private readonly ConvTranspose2d up1;
    private readonly ConvTranspose2d up2;
    private readonly Conv2d output;
    private readonly Parameter log_sigma;

    public VaeDecoder(VaeNetworkConfig config) : base(nameof(VaeDecoder))
    {
        Config = config.Validate();
        int w = config.Width;
        input = config.Spatial ? nn.Conv2d(config.LatentChannels, 2 * w, 3, padding: 1) : nn.Linear(config.FlatDim, 2 * w * 49);
        up1 = nn.ConvTranspose2d(2 * w, w, 4, stride: 2, padding: 1);
        up2 = nn.ConvTranspose2d(w, w, 4, stride: 2, padding: 1);
        output = nn.Conv2d(w, 1, 3, padding: 1);
        log_sigma = new Parameter(tensor(Math.Log(0.1), dtype: ScalarType.Float32), requires_grad: config.Likelihood == "gaussian");
        RegisterComponents();
    }

    public VaeNetworkConfig Config { get; }

    /// <summary>The Gaussian likelihood's log sigma (in [0, 1] pixel units); unused by the Bernoulli likelihood.</summary>
    public Tensor LogSigma => log_sigma;

    /// <returns>(B, 1, 28, 28) logits a</returns>
    public override Tensor forward(Tensor z)
    {
        using var scope = NewDisposeScope();
        var h = input is Conv2d conv ? conv.CallExact(z) : input.call(z);
        if (!Config.Spatial) h = h.reshape(-1, 2 * Config.Width, 7, 7);
        h = nn.functional.silu(h);                  // (B, 2w, 7, 7)
        h = nn.functional.silu(up1.call(h));        // (B, w, 14, 14)
        h = nn.functional.silu(up2.call(h));        // (B, w, 28, 28)
        return output.CallExact(h).MoveToOuterDisposeScope(); // (B, 1, 28, 28)
    }

    /// <summary>The mean image E[x|z] mapped to [-1, 1].</summary>
    public Tensor DecodeImage(Tensor z)
    {
        using var scope = NewDisposeScope();
        return (call(z).sigmoid() * 2 - 1).MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) { input.Dispose(); up1.Dispose(); up2.Dispose(); output.Dispose(); log_sigma.Dispose(); }
        base.Dispose(disposing);
    }
}
