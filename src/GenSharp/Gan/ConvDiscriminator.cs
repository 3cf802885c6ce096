using GenSharp.Nn;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenSharp.Gan;

/// <summary>
/// The discriminator (critic) of seed 002 (SPEC §5), 28x28x1 image -> one logit (or critic value):
/// Conv 1->32 k4 s2 p1, ReLU (32, 14, 14) -> Conv 32->64 k4 s2 p1, ReLU (64, 7, 7) -> flatten 3136
/// -> Linear 3136->512, ReLU -> Linear 512->1. No normalisation layers, so the gradient penalty of
/// WGAN-GP is per-sample as it must be.
/// </summary>
public sealed class ConvDiscriminator : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly Conv2d conv2;
    private readonly Linear fc1;
    private readonly Linear fc2;

    public ConvDiscriminator(GanNetworksConfig config) : base(nameof(ConvDiscriminator))
    {
        Config = config.Validate();
        int c = config.DiscriminatorChannels;
        conv1 = nn.Conv2d(1, c, 4, stride: 2, padding: 1);
        conv2 = nn.Conv2d(c, 2 * c, 4, stride: 2, padding: 1);
        fc1 = nn.Linear(2 * c * 7 * 7, config.DiscriminatorHidden);
        fc2 = nn.Linear(config.DiscriminatorHidden, 1);
        RegisterComponents();
    }

    public GanNetworksConfig Config { get; }

    /// <param name="x">(B, 1, 28, 28) images</param>
    /// <returns>(B) logits D(x)</returns>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.relu(conv1.CallExact(x));   // (B, 32, 14, 14)
        h = nn.functional.relu(conv2.CallExact(h));       // (B, 64, 7, 7)
        h = nn.functional.relu(fc1.call(h.flatten(1))); // (B, 512)
        return fc2.call(h).squeeze(1).MoveToOuterDisposeScope(); // (B)
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) { conv1.Dispose(); conv2.Dispose(); fc1.Dispose(); fc2.Dispose(); }
        base.Dispose(disposing);
    }
}
