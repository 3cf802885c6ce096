using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenSharp.Nn.Text;

/// <summary>
/// The text encoder of text-conditioned diffusion (docs/captcha.md#text-conditioning): character embeddings plus learned
/// position embeddings, then <c>layers</c> pre-LayerNorm transformer blocks (masked multi-head self-attention, GELU MLP of 4d),
/// trained jointly with the U-Net. (B, T) token ids and (B, T) real-token mask -> (B, T, d) token features; padded tokens are
/// never attended to, so a string's features do not depend on how far it was padded.
/// </summary>
public sealed class TextEncoder : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Embedding token;
    private readonly Embedding position;
    private readonly ModuleList<TextEncoderBlock> blocks;
    private readonly LayerNorm norm;

    public TextEncoder(TextTokens tokens, int dim = 64, int layers = 2, int heads = 4) : base(nameof(TextEncoder))
    {
        token = nn.Embedding(tokens.Vocabulary, dim);
        position = nn.Embedding(tokens.Positions, dim);
        blocks = nn.ModuleList(Enumerable.Range(0, layers).Select(_ => new TextEncoderBlock(dim, heads)).ToArray());
        norm = nn.LayerNorm(dim);
        Dim = dim;
        RegisterComponents();
    }

    public int Dim { get; }

    /// <param name="ids">(B, T) int64</param>
    /// <param name="keep">(B, T) bool, true for real tokens</param>
    /// <returns>(B, T, d)</returns>
    public override Tensor forward(Tensor ids, Tensor keep)
    {
        using var scope = NewDisposeScope();
        var h = token.call(ids) + position.call(arange(ids.shape[1], device: ids.device)).unsqueeze(0);
        foreach (var block in blocks) h = block.call(h, keep);
        return norm.call(h).MoveToOuterDisposeScope();
    }
}
