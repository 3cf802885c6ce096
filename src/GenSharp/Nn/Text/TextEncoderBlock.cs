using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenSharp.Nn.Text;

/// <summary>One pre-LayerNorm transformer block: h + MHA(LN(h)) over real tokens, then h + MLP(LN(h)).</summary>
public sealed class TextEncoderBlock : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly LayerNorm norm1, norm2;
    private readonly Linear qkv, proj, fc1, fc2;
    private readonly int _heads;

    public TextEncoderBlock(int dim, int heads) : base(nameof(TextEncoderBlock))
    {
        if (dim % heads != 0) throw new ConfigException($"text width {dim}: must be divisible by the {heads} heads");
        norm1 = nn.LayerNorm(dim);
        qkv = nn.Linear(dim, 3 * dim);
        proj = nn.Linear(dim, dim);
        norm2 = nn.LayerNorm(dim);
        fc1 = nn.Linear(dim, 4 * dim);
        fc2 = nn.Linear(4 * dim, dim);
        _heads = heads;
        RegisterComponents();
    }

    public override Tensor forward(Tensor h, Tensor keep)
    {
        using var scope = NewDisposeScope();
        long b = h.shape[0], t = h.shape[1], d = h.shape[2];
        var parts = qkv.call(norm1.call(h)).reshape(b, t, 3, _heads, d / _heads).permute(2, 0, 3, 1, 4).unbind(0); // 3 x (B, h, T, d/h)
        var attended = TokenAttention.Apply(parts[0], parts[1], parts[2], keep).transpose(1, 2).reshape(b, t, d);
        h = h + proj.call(attended);
        h = h + fc2.call(nn.functional.gelu(fc1.call(norm2.call(h))));
        return h.MoveToOuterDisposeScope();
    }
}
