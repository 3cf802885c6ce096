using GenSharp.Nn.Text;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenSharp.Nn;

/// <summary>
/// eps_theta(x_t, t) for images: the reference DDPM U-Net "ddpm-unet" (docs/unet.md#reference-configuration), layer for layer the
/// PyTorch peer <c>shared/bench/peer/unet_ref.py</c> (1,112,801 parameters at the default ch = 32), with
/// the same state-dict names (<c>temb.0.weight</c>, <c>down.0.0.norm1.weight</c>, <c>mid.1.qkv.weight</c>, ...).
///
///   e = Linear(SiLU(Linear(sinusoidal(t, ch))))                     (B, 4ch)
///   h = conv_in(x); skips = [h]
///   down: per level, ResBlocksPerLevel x [Res (+ Attn)], then a stride-2 conv (not after the last level);
///         every output is pushed on skips
///   mid:  Res, Attn, Res
///   up:   per level (deepest first), ResBlocksPerLevel + 1 x [Res(cat(h, skips.pop())) (+ Attn)], then
///         nearest x2 + 3x3 conv (not after the first level)
///   out = conv_out(SiLU(norm_out(h)))                               (B, InChannels, H, W)
/// A class-conditional U-Net (<c>classes</c> K &gt; 0) adds a learned label embedding to e: e += label_emb(y), y in 0..K with K the
/// null label (docs/ddpm.md#classifier-free-guidance); called without labels it uses the null label.
/// A text-conditional U-Net (<see cref="UNetConfig.Text"/>) encodes its condition, y = (B, L) characters (0 = padding; all padding is
/// the empty string, the null condition), with a jointly trained <see cref="TextEncoder"/> (<c>text_encoder</c>) and follows each block
/// at the <see cref="UNetConfig.CrossAttentionResolutions"/> (and the middle's attention, at the lowest level) with a
/// <see cref="CrossAttentionBlock"/>: Q from the image features, K and V from the tokens (docs/captcha.md#text-conditioning).
/// <c>extraInputs</c> E &gt; 0 widens conv_in only: x then has InChannels + E channels (the data, then E channels derived from it,
/// e.g. VDM's Fourier features, docs/vdm.md#fourier-features), and the output still has InChannels.
///
/// Each <c>down</c>/<c>up</c> entry is a stage (a list of layers); a stage starting with a residual block
/// is a block stage, otherwise it is a resampling stage.
/// </summary>
public sealed class UNet : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Sequential temb;
    private readonly Conv2d conv_in;
    private readonly ModuleList<ModuleList<nn.Module>> down;
    private readonly ModuleList<nn.Module> mid;
    private readonly ModuleList<ModuleList<nn.Module>> up;
    private readonly GroupNorm norm_out;
    private readonly Conv2d conv_out;
    private readonly Embedding? label_emb; // (K + 1, 4ch); absent in an unconditional U-Net, whose state dict is unchanged
    private readonly TextEncoder? text_encoder; // a text-conditional U-Net only

    /// <param name="classes">K real labels (0: unconditional); the embedding has K + 1 rows, the last for the null label.</param>
    /// <param name="extraInputs">E input channels beyond the data's, read by conv_in only (0: none)</param>
    public UNet(UNetConfig config, int classes = 0, int extraInputs = 0) : base(nameof(UNet))
    {
        ArgumentOutOfRangeException.ThrowIfNegative(extraInputs);
        Config = config.Validate();
        int ch = config.Channels, tdim = config.TimeDim, groups = config.Groups;
        double p = config.Dropout;
        temb = nn.Sequential(nn.Linear(ch, tdim), nn.SiLU(), nn.Linear(tdim, tdim));
        conv_in = nn.Conv2d(config.InChannels + extraInputs, ch, 3, padding: 1);

        down = new ModuleList<ModuleList<nn.Module>>();
        var skipWidths = new Stack<int>([ch]);
        int width = ch, resolution = config.Height;
        for (int level = 0; level < config.Levels; level++)
        {
            for (int i = 0; i < config.ResBlocksPerLevel; i++)
            {
                var stage = new ModuleList<nn.Module>(new UNetResBlock(width, ch * config.Multipliers[level], tdim, groups, p));
                width = ch * config.Multipliers[level];
                if (config.AttentionResolutions.Contains(resolution)) stage.Add(new UNetAttentionBlock(width, groups));
                AddCrossAttention(stage, config, resolution, width);
                down.Add(stage);
                skipWidths.Push(width);
            }
            if (level != config.Levels - 1)
            {
                down.Add(new ModuleList<nn.Module>(nn.Conv2d(width, width, 3, stride: 2, padding: 1)));
                skipWidths.Push(width);
                resolution /= 2;
            }
        }

        mid = new ModuleList<nn.Module>(new UNetResBlock(width, width, tdim, groups, p), new UNetAttentionBlock(width, groups));
        AddCrossAttention(mid, config, resolution, width);
        mid.Add(new UNetResBlock(width, width, tdim, groups, p));

        up = new ModuleList<ModuleList<nn.Module>>();
        for (int level = config.Levels - 1; level >= 0; level--)
        {
            for (int i = 0; i < config.ResBlocksPerLevel + 1; i++)
            {
                var stage = new ModuleList<nn.Module>(new UNetResBlock(width + skipWidths.Pop(), ch * config.Multipliers[level], tdim, groups, p));
                width = ch * config.Multipliers[level];
                if (config.AttentionResolutions.Contains(resolution)) stage.Add(new UNetAttentionBlock(width, groups));
                AddCrossAttention(stage, config, resolution, width);
                up.Add(stage);
            }
            if (level != 0)
            {
                up.Add(new ModuleList<nn.Module>(
                    nn.Upsample(scale_factor: [2.0, 2.0], mode: UpsampleMode.Nearest), nn.Conv2d(width, width, 3, padding: 1)));
                resolution *= 2;
            }
        }
        norm_out = InitializedGroupNorm.Create(groups, width);
        conv_out = nn.Conv2d(width, config.InChannels, 3, padding: 1);
        Classes = classes;
        InputChannels = config.InChannels + extraInputs;
        if (classes > 0) label_emb = nn.Embedding(classes + 1, tdim);
        if (config.Text is { } text)
        {
            if (classes > 0) throw new ConfigException("a U-Net conditions on classes or on text, not both");
            Tokens = text.Tokens;
            text_encoder = new TextEncoder(Tokens, text.Dim, text.Layers, text.Heads);
        }
        RegisterComponents();
    }

    private static void AddCrossAttention(ModuleList<nn.Module> stage, UNetConfig config, int resolution, int width)
    {
        if (config.Text is { } text && config.CrossAttentionResolutions.Contains(resolution))
            stage.Add(new CrossAttentionBlock(width, text.Dim, text.Heads, config.Groups));
    }

    public UNetConfig Config { get; }

    /// <summary>Channels of the input x: InChannels plus the extra inputs.</summary>
    public int InputChannels { get; }

    /// <summary>K, the number of real labels (0 for an unconditional or a text-conditional U-Net).</summary>
    public int Classes { get; }

    /// <summary>The strings a text-conditional U-Net reads (null otherwise).</summary>
    public TextTokens? Tokens { get; }

    /// <summary>Whether the U-Net takes a condition (classes or text), so that sampling it needs guidance settings.</summary>
    public bool IsConditional => Classes > 0 || Tokens is not null;

    /// <summary>The cross-attention blocks in call order (empty unless text-conditional): their maps, docs/captcha.md#text-conditioning.</summary>
    public IReadOnlyList<CrossAttentionBlock> CrossAttention =>
        down.SelectMany(s => s).Concat(mid).Concat(up.SelectMany(s => s)).OfType<CrossAttentionBlock>().ToList();

    /// <param name="x">(B, InChannels, H, W) noisy images x_t; H and W divisible by 2^(levels-1)</param>
    /// <param name="t">(B) timestep indices (int64) or times</param>
    /// <returns>(B, InChannels, H, W) predicted noise</returns>
    public override Tensor forward(Tensor x, Tensor t) => Forward(x, t, null);

    /// <param name="x">(B, InChannels, H, W) noisy images x_t</param>
    /// <param name="t">(B) timestep indices</param>
    /// <param name="y">
    /// (B) int64 labels 0..K (K = null label), or for a text U-Net (B, L) int64 characters (all 0: the empty string), or null: the null
    /// condition (ignored by an unconditional U-Net)
    /// </param>
    public Tensor Forward(Tensor x, Tensor t, Tensor? y)
    {
        CheckInput(x);
        using var scope = NewDisposeScope();
        // (B, 4ch); embedded in fp32, run in x's type (bf16 when mixed precision)
        var e = temb.call(SinusoidalTimeEmbedding.Embed(t, Config.Channels).to_type(x.dtype));
        if (label_emb is not null)
            e = e + label_emb.call(y ?? full([x.shape[0]], Classes, dtype: ScalarType.Int64, device: x.device)).to_type(x.dtype);
        (Tensor Tokens, Tensor Keep)? text = null;
        if (text_encoder is not null)
        {
            var (ids, keep) = TextTokens.WithStart(y ?? zeros([x.shape[0], Tokens!.MaxLength], dtype: ScalarType.Int64, device: x.device));
            text = (text_encoder.call(ids, keep).to_type(x.dtype), keep);                  // (B, 1 + L, d), (B, 1 + L)
        }
        var h = conv_in.CallExact(x);                                              // (B, ch, H, W)
        var skips = new Stack<Tensor>();
        skips.Push(h);
        foreach (var stage in down)
        {
            h = ApplyStage(stage, h, e, text);
            skips.Push(h);
        }
        h = ApplyStage(mid, h, e, text);                                      // Res, Attn, (Cross,) Res
        foreach (var stage in up)
        {
            if (stage[0] is UNetResBlock) h = cat([h, skips.Pop()], 1); // decoder blocks take the skip
            h = ApplyStage(stage, h, e, text);
        }
        return conv_out.CallExact(nn.functional.silu(norm_out.call(h))).MoveToOuterDisposeScope();
    }

    private static Tensor ApplyStage(ModuleList<nn.Module> stage, Tensor h, Tensor e, (Tensor Tokens, Tensor Keep)? text)
    {
        if (stage.Count == 2 && stage[0] is Upsample && stage[1] is Conv2d upConv)
            return NearestUpsampleConv.Forward(h, upConv.weight!, upConv.bias); // the stage's Upsample(nearest, 2) + Conv2d(3, padding 1), fused
        foreach (var layer in stage)
        {
            h = layer switch
            {
                UNetResBlock res => res.call(h, e),
                CrossAttentionBlock cross => cross.call(h, text!.Value.Tokens, text.Value.Keep),
                Conv2d conv => conv.CallExact(h),
                nn.Module<Tensor, Tensor> single => single.call(h),
                _ => throw new InvalidOperationException($"unexpected U-Net layer {layer.GetType().Name}"),
            };
        }
        return h;
    }

    private void CheckInput(Tensor x)
    {
        int factor = 1 << (Config.Levels - 1);
        if (x.dim() != 4 || x.shape[1] != InputChannels || x.shape[2] % factor != 0 || x.shape[3] % factor != 0)
            throw new ConfigException(
                $"U-Net input of shape ({string.Join(", ", x.shape)}): expected (B, {InputChannels}, H, W) with H and W divisible by {factor}");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            temb.Dispose(); conv_in.Dispose(); down.Dispose(); mid.Dispose(); up.Dispose(); norm_out.Dispose(); conv_out.Dispose();
            label_emb?.Dispose(); text_encoder?.Dispose();
        }
        base.Dispose(disposing);
    }
}
