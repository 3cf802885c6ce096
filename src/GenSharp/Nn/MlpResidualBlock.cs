using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenSharp.Nn;

/// <summary>
/// h + Linear(SiLU(Linear(SiLU(h)) + proj(temb))): a pre-activation residual block whose hidden
/// state is shifted by a projection of the time embedding.
/// </summary>
public sealed class MlpResidualBlock : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Linear fc1;
    private readonly Linear temb;
    private readonly Linear fc2;

    public MlpResidualBlock(int hidden, int timeDim) : base(nameof(MlpResidualBlock))
    {
        fc1 = nn.Linear(hidden, hidden);
        temb = nn.Linear(timeDim, hidden);
        fc2 = nn.Linear(hidden, hidden);
        RegisterComponents();
    }

    /// <param name="h">(B, H)</param>
    /// <param name="t">(B, Ht) time features</param>
    public override Tensor forward(Tensor h, Tensor t)
    {
        using var scope = NewDisposeScope();
        var u = fc1.call(nn.functional.silu(h)) + temb.call(t); // (B, H)
        var result = h + fc2.call(nn.functional.silu(u));        // (B, H)
        return result.MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) { fc1.Dispose(); temb.Dispose(); fc2.Dispose(); }
        base.Dispose(disposing);
    }
}
