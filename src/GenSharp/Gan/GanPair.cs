using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Gan;

/// <summary>
/// The generator and the discriminator held together so that one checkpoint stores both
/// (state-dict keys <c>generator.*</c> and <c>discriminator.*</c>). Not called as a network.
/// </summary>
public sealed class GanPair : nn.Module
{
    private readonly PixelShuffleGenerator generator;
    private readonly ConvDiscriminator discriminator;

    public GanPair(GanNetworksConfig config) : base(nameof(GanPair))
    {
        generator = new PixelShuffleGenerator(config);
        discriminator = new ConvDiscriminator(config);
        RegisterComponents();
    }

    public PixelShuffleGenerator Generator => generator;
    public ConvDiscriminator Discriminator => discriminator;

    protected override void Dispose(bool disposing)
    {
        if (disposing) { generator.Dispose(); discriminator.Dispose(); }
        base.Dispose(disposing);
    }
}
