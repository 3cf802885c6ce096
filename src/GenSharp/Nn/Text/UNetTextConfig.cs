namespace GenSharp.Nn.Text;

/// <summary>
/// The text path of a text-conditional U-Net (docs/captcha.md#text-conditioning): the strings it reads (alphabet, maximum length) and
/// its <see cref="TextEncoder"/> (width, transformer blocks, heads, also the heads of every <see cref="CrossAttentionBlock"/>). Where the
/// cross-attention blocks sit is <see cref="UNetConfig.CrossAttentionResolutions"/>. Defaults: the course's 2-layer encoder.
/// </summary>
public sealed record UNetTextConfig
{
    /// <summary>The characters a string may hold (the data's alphabet).</summary>
    public string Alphabet { get; init; } = "";

    /// <summary>The longest string (the data's length).</summary>
    public int MaxLength { get; init; } = 4;

    /// <summary>Width d of the token features (K and V are projected from it).</summary>
    public int Dim { get; init; } = 64;

    /// <summary>Transformer blocks of the text encoder.</summary>
    public int Layers { get; init; } = 2;

    /// <summary>Attention heads of the encoder and of the cross-attention blocks.</summary>
    public int Heads { get; init; } = 4;

    [System.Text.Json.Serialization.JsonIgnore]
    public TextTokens Tokens => new(Alphabet, MaxLength);

    public UNetTextConfig Validate()
    {
        if (string.IsNullOrEmpty(Alphabet) || Alphabet.Distinct().Count() != Alphabet.Length)
            throw new ConfigException($"text alphabet '{Alphabet}': give distinct characters");
        Limits.Check("text length", MaxLength, 1, 64);
        Limits.Check("text encoder width", Dim, 1, Limits.MaxWidth);
        Limits.Check("text encoder layers", Layers, 1, 16);
        Limits.Check("text attention heads", Heads, 1, 64);
        if (Dim % Heads != 0) throw new ConfigException($"text encoder width {Dim}: must be divisible by the {Heads} heads");
        return this;
    }
}
