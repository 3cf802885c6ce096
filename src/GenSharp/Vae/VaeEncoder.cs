using GenSharp.Nn;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenSharp.Vae;

/// <summary>
/// The amortised Gaussian encoder q(z|x) = N(mu(x), diag sigma^2(x)):
/// x (B, 1, 28, 28) in [-1, 1] -> Conv 1->w k4 s2 p1, SiLU (w, 14, 14) -> Conv w->2w k4 s2 p1, SiLU (2w, 7, 7)
/// -> Conv 2w->2w 3x3, SiLU -> either Conv 2w->2C 3x3 (spatial latent (C, 7, 7)) or flatten, Linear
/// 2w*49 -> 2D (flat latent (D)); the two halves are mu and log sigma^2.
/// </summary>
public sealed class VaeEncoder : nn.Module<Tensor, (Tensor Mu, Tensor LogVar)>
{
    private readonly Conv2d conv1;
    private readonly Conv2d conv2;
    private readonly Conv2d conv3;
    private readonly nn.Module<Tensor, Tensor> head;

    public VaeEncoder(VaeNetworkConfig config) : base(nameof(VaeEncoder))
    {
        Config = config.Validate();
        int w = config.Width;
        conv1 = nn.Conv2d(1, w, 4, stride: 2, padding: 1);
        conv2 = nn.Conv2d(w, 2 * w, 4, stride: 2, padding: 1);
        conv3 = nn.Conv2d(2 * w, 2 * w, 3, padding: 1);
        head = config.Spatial
            ? nn.Conv2d(2 * w, 2 * config.LatentChannels, 3, padding: 1)
            : nn.Linear(2 * w * 49, 2 * config.FlatDim);
        RegisterComponents();
    }

    public VaeNetworkConfig Config { get; }

    /// <returns>mu and log sigma^2, each (B, latent shape)</returns>
    public override (Tensor Mu, Tensor LogVar) forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.silu(conv1.CallExact(x));   // (B, w, 14, 14)
        h = nn.functional.silu(conv2.CallExact(h));       // (B, 2w, 7, 7)
        h = nn.functional.silu(conv3.CallExact(h));       // (B, 2w, 7, 7)
        var stats = head is Conv2d conv ? conv.CallExact(h) : head.call(h.flatten(1)); // (B, 2C, 7, 7) or (B, 2D)
        var parts = stats.chunk(2, 1);
        return (parts[0].MoveToOuterDisposeScope(), parts[1].MoveToOuterDisposeScope());
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) { conv1.Dispose(); conv2.Dispose(); conv3.Dispose(); head.Dispose(); }
        base.Dispose(disposing);
    }
}
