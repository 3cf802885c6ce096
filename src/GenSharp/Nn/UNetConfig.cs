using System.Text.Json.Serialization;
using GenSharp.Nn.Text;

namespace GenSharp.Nn;

/// <summary>
/// The reference DDPM U-Net "ddpm-unet" (docs/unet.md#reference-configuration). Defaults are the 28x28x1 reference, which has
/// 1,112,801 parameters: time embedding sinusoidal(ch) -> Linear(ch, 4ch) -> SiLU -> Linear(4ch, 4ch);
/// levels with widths ch * multiplier; attention where the feature map is AttentionResolutions wide.
/// </summary>
public sealed record UNetConfig
{
    /// <summary>Channels of the data (1 for Fashion-MNIST, 3 for RGB, 4 for latents).</summary>
    public int InChannels { get; init; } = 1;

    /// <summary>Base width ch (also the width of the sinusoidal time embedding; must be even).</summary>
    public int Channels { get; init; } = 32;

    /// <summary>Width multiplier of each level; level i has ch * Multipliers[i] channels. Levels - 1 stride-2 downsamplings.</summary>
    public int[] Multipliers { get; init; } = [1, 2, 2];

    /// <summary>Residual blocks per level in the encoder (the decoder has one more, for the extra skip).</summary>
    public int ResBlocksPerLevel { get; init; } = 1;

    /// <summary>Feature-map sizes (in pixels) at which a self-attention block follows each residual block. The middle always has one.</summary>
    public int[] AttentionResolutions { get; init; } = [7];

    /// <summary>Input height in pixels (32 for the 32x96 CAPTCHAs, docs/captcha.md#size).</summary>
    public int Height { get; init; } = 28;

    /// <summary>Input width in pixels.</summary>
    public int Width { get; init; } = 28;

    /// <summary>
    /// Older config.json files (square images only) hold one "resolution"; reading it sets both sides. Never written.
    /// </summary>
    [JsonInclude, JsonPropertyName("resolution"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    private int? LegacyResolution
    {
        get => null;
        init
        {
            if (value is int side) { Height = side; Width = side; }
        }
    }

    /// <summary>
    /// Feature-map heights at which a cross-attention block to the text tokens follows each block (and the middle's attention, when
    /// the lowest level is named); a text-conditional U-Net only (<see cref="Text"/>). docs/captcha.md#text-conditioning.
    /// </summary>
    public int[] CrossAttentionResolutions { get; init; } = [];

    /// <summary>The text encoder of a text-conditional U-Net; null (absent from config.json): no text.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public UNetTextConfig? Text { get; init; }

    /// <summary>GroupNorm groups; must divide every width.</summary>
    public int Groups { get; init; } = 8;

    /// <summary>Dropout probability inside the residual blocks.</summary>
    public double Dropout { get; init; } = 0.1;

    /// <summary>Width of the time embedding after its MLP: 4 ch.</summary>
    public int TimeDim => 4 * Channels;

    /// <summary>Number of levels (resolutions).</summary>
    public int Levels => Multipliers.Length;

    /// <summary>
    /// The feature-map height of each level: Height, Height/2, ...; the attention resolutions name levels by it (the width is
    /// Width, Width/2, ...).
    /// </summary>
    public int[] LevelResolutions => Enumerable.Range(0, Multipliers.Length).Select(i => Height >> i).ToArray();

    /// <summary>Checks every field; the error says what to change.</summary>
    public UNetConfig Validate()
    {
        if (InChannels < 1) throw new ConfigException($"U-Net input channels {InChannels}: must be at least 1");
        if (Channels < 2 || Channels % 2 != 0)
            throw new ConfigException($"U-Net --ch {Channels}: must be an even number >= 2 (it is also the width of the sinusoidal time embedding)");
        if (Multipliers is null || Multipliers.Length == 0)
            throw new ConfigException("U-Net channel multipliers: give at least one level, e.g. [1, 2, 2]");
        if (Multipliers.Any(m => m < 1))
            throw new ConfigException($"U-Net channel multipliers [{string.Join(", ", Multipliers)}]: each must be at least 1");
        if (ResBlocksPerLevel < 1) throw new ConfigException($"U-Net res blocks per level {ResBlocksPerLevel}: must be at least 1");
        Limits.Check("--ch", Channels, 2, Limits.MaxWidth);
        Limits.Check("--res-blocks", ResBlocksPerLevel, 1, Limits.MaxDepth);
        Limits.Check("number of --mults levels", Multipliers.Length, 1, 16);
        foreach (int m in Multipliers) Limits.Check("--mults entry", m, 1, Limits.MaxWidth / Channels);
        if (Groups < 1) throw new ConfigException($"U-Net GroupNorm groups {Groups}: must be at least 1");
        foreach (int width in Multipliers.Select(m => Channels * m).Prepend(Channels))
            if (width % Groups != 0)
                throw new ConfigException($"U-Net width {width} (ch {Channels} x multiplier) is not divisible by {Groups} GroupNorm groups; " +
                    "choose --ch and multipliers so that every width is a multiple of the groups");
        int factor = 1 << (Levels - 1);
        foreach (var (side, size) in new[] { ("height", Height), ("width", Width) })
            if (size < factor || size % factor != 0)
                throw new ConfigException($"U-Net input {side} {size}: must be divisible by 2^(levels-1) = {factor} for {Levels} levels; " +
                    "use fewer levels or pad the images");
        if (!(Dropout >= 0 && Dropout < 1)) throw new ConfigException($"U-Net dropout {Dropout}: must be in [0, 1)");
        if (AttentionResolutions is null) throw new ConfigException("U-Net attention resolutions: give a list (possibly empty)");
        var sizes = LevelResolutions;
        foreach (int r in AttentionResolutions)
            if (!sizes.Contains(r))
                throw new ConfigException($"U-Net attention resolution {r}: not one of this U-Net's feature-map sizes " +
                    $"({string.Join(", ", sizes)}); pick from those or leave it out");
        ValidateText(sizes);
        return this;
    }

    private void ValidateText(int[] sizes)
    {
        if (CrossAttentionResolutions is null) throw new ConfigException("U-Net cross-attention resolutions: give a list (possibly empty)");
        if (Text is null)
        {
            if (CrossAttentionResolutions.Length > 0)
                throw new ConfigException("--cross-attn: cross-attention reads text; it applies with --condition text only");
            return;
        }
        Text.Validate();
        if (CrossAttentionResolutions.Length == 0)
            throw new ConfigException("--cross-attn none: a text-conditional U-Net needs at least one cross-attention level, e.g. " +
                string.Join(",", sizes.TakeLast(2)));
        foreach (int r in CrossAttentionResolutions)
            if (!sizes.Contains(r))
                throw new ConfigException($"--cross-attn {r}: not one of this U-Net's feature-map heights ({string.Join(", ", sizes)}); " +
                    "pick from those");
        foreach (int width in Multipliers.Select(m => Channels * m))
            if (width % Text.Heads != 0)
                throw new ConfigException($"U-Net width {width}: not divisible by the {Text.Heads} cross-attention heads; choose --ch accordingly");
    }
}
