using GenSharp.Nn;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenSharp.Gan;

/// <summary>
/// The generator of seed 002 (SPEC §5), z -> 28x28x1 image in [-1, 1]:
/// z (Z) -> Linear Z->512, BatchNorm, ReLU -> Linear 512->64*7*7, BatchNorm, ReLU -> reshape (64, 7, 7)
/// -> PixelShuffle(2) (16, 14, 14) -> Conv 16->32 3x3, BatchNorm, ReLU -> PixelShuffle(2) (8, 28, 28)
/// -> Conv 8->1 3x3 -> tanh. (The seed's last layer emits the image directly; tanh keeps it in the data
/// range [-1, 1] used for GAN training.)
/// </summary>
public sealed class PixelShuffleGenerator : nn.Module<Tensor, Tensor>
{
    private readonly int _channels;
    private readonly Linear fc1;
    private readonly BatchNorm1d bn1;
    private readonly Linear fc2;
    private readonly BatchNorm1d bn2;
    private readonly PixelShuffle shuffle1;
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn3;
    private readonly PixelShuffle shuffle2;
    private readonly Conv2d conv2;

    public PixelShuffleGenerator(GanNetworksConfig config) : base(nameof(PixelShuffleGenerator))
    {
        Config = config.Validate();
        int c = config.GeneratorChannels;
        _channels = c;
        fc1 = nn.Linear(config.ZDim, config.GeneratorHidden);
        bn1 = nn.BatchNorm1d(config.GeneratorHidden);
        fc2 = nn.Linear(config.GeneratorHidden, c * 7 * 7);
        bn2 = nn.BatchNorm1d(c * 7 * 7);
        shuffle1 = nn.PixelShuffle(2);
        conv1 = nn.Conv2d(c / 4, 2 * (c / 4), 3, padding: 1);
        bn3 = nn.BatchNorm2d(2 * (c / 4));
        shuffle2 = nn.PixelShuffle(2);
        conv2 = nn.Conv2d(c / 8, 1, 3, padding: 1);
        RegisterComponents();
    }

    public GanNetworksConfig Config { get; }

    /// <param name="z">(B, Z) latent codes</param>
    /// <returns>(B, 1, 28, 28) images in [-1, 1]</returns>
    public override Tensor forward(Tensor z)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.relu(bn1.call(fc1.call(z)));                 // (B, 512)
        h = nn.functional.relu(bn2.call(fc2.call(h)));                     // (B, 64*7*7)
        h = h.reshape(-1, _channels, 7, 7);                                 // (B, 64, 7, 7)
        h = shuffle1.call(h);                                               // (B, 16, 14, 14)
        h = nn.functional.relu(bn3.call(conv1.CallExact(h)));                   // (B, 32, 14, 14)
        h = shuffle2.call(h);                                               // (B, 8, 28, 28)
        return conv2.CallExact(h).tanh().MoveToOuterDisposeScope();              // (B, 1, 28, 28)
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            fc1.Dispose(); bn1.Dispose(); fc2.Dispose(); bn2.Dispose(); shuffle1.Dispose();
            conv1.Dispose(); bn3.Dispose(); shuffle2.Dispose(); conv2.Dispose();
        }
        base.Dispose(disposing);
    }
}
