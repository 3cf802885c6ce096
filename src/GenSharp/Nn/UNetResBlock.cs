using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenSharp.Nn;

/// <summary>
/// The U-Net's residual block, conditioned on the time embedding (SPEC §3.2; <c>ResBlock</c> of the
/// reference peer, same layers in the same order):
///   h = conv1(SiLU(norm1(x))) + temb(SiLU(e))[:, :, None, None]
///   h = conv2(dropout(SiLU(norm2(h))))
///   out = skip(x) + h          (skip is a 1x1 conv when the width changes, else the identity)
/// </summary>
public sealed class UNetResBlock : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly GroupNorm norm1;
    private readonly Conv2d conv1;
    private readonly Linear temb;
    private readonly GroupNorm norm2;
    private readonly nn.Module<Tensor, Tensor> drop;
    private readonly Conv2d conv2;
    private readonly Conv2d? skip;

    public UNetResBlock(long inChannels, long outChannels, long timeDim, long groups, double dropout) : base(nameof(UNetResBlock))
    {
        norm1 = InitializedGroupNorm.Create(groups, inChannels);
        conv1 = nn.Conv2d(inChannels, outChannels, 3, padding: 1);
        temb = nn.Linear(timeDim, outChannels);
        norm2 = InitializedGroupNorm.Create(groups, outChannels);
        drop = new HashDropout(dropout);
        conv2 = nn.Conv2d(outChannels, outChannels, 3, padding: 1);
        skip = inChannels != outChannels ? nn.Conv2d(inChannels, outChannels, 1) : null;
        InChannels = inChannels;
        OutChannels = outChannels;
        RegisterComponents();
    }

    public long InChannels { get; }
    public long OutChannels { get; }

    /// <param name="x">(B, Cin, H, W)</param>
    /// <param name="e">(B, 4ch) time embedding (after the time MLP)</param>
    /// <returns>(B, Cout, H, W)</returns>
    public override Tensor forward(Tensor x, Tensor e)
    {
        using var scope = NewDisposeScope();
        var h = conv1.CallExact(nn.functional.silu(norm1.call(x)));                 // (B, Cout, H, W)
        h = h + temb.call(nn.functional.silu(e)).unsqueeze(-1).unsqueeze(-1);   // + (B, Cout, 1, 1)
        h = conv2.CallExact(drop.call(nn.functional.silu(norm2.call(h))));          // (B, Cout, H, W)
        var result = (skip is null ? x : skip.CallExact(x)) + h;
        return result.MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            norm1.Dispose(); conv1.Dispose(); temb.Dispose(); norm2.Dispose(); drop.Dispose(); conv2.Dispose(); skip?.Dispose();
        }
        base.Dispose(disposing);
    }
}
