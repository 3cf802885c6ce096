using static TorchSharp.torch;

namespace GenSharp.Nn.Text;

/// <summary>
/// Strings as token ids for the text encoder (docs/captcha.md#text-conditioning): a start token (id 1) followed by one id per
/// character (alphabet index + 2), padded with id 0 to <c>1 + maxLength</c>. The start token is never padding, so the empty
/// string, the null condition of classifier-free guidance, is the start token alone and attention always has a real token.
/// </summary>
public sealed class TextTokens
{
    /// <summary>Padding id.</summary>
    public const long Pad = 0;

    /// <summary>The start token's id.</summary>
    public const long Start = 1;

    public TextTokens(string alphabet, int maxLength)
    {
        if (maxLength < 1) throw new ConfigException($"text length {maxLength}: must be at least 1");
        Alphabet = alphabet;
        MaxLength = maxLength;
    }

    public string Alphabet { get; }
    public int MaxLength { get; }

    /// <summary>Token ids: padding, start, and the alphabet.</summary>
    public int Vocabulary => Alphabet.Length + 2;

    /// <summary>Sequence length: the start token and <see cref="MaxLength"/> characters.</summary>
    public int Positions => MaxLength + 1;

    /// <summary>Ids (B, Positions) int64 and the mask of real tokens (B, Positions) bool.</summary>
    public (Tensor Ids, Tensor Keep) Encode(IReadOnlyList<string> texts)
    {
        var ids = new long[texts.Count * Positions];
        for (int i = 0; i < texts.Count; i++)
        {
            string t = texts[i];
            if (t.Length > MaxLength) throw new ConfigException($"text '{t}': longer than {MaxLength} characters");
            ids[i * Positions] = Start;
            for (int j = 0; j < t.Length; j++)
            {
                int c = Alphabet.IndexOf(t[j]);
                if (c < 0) throw new ConfigException($"text '{t}': '{t[j]}' is not in the alphabet {Alphabet}");
                ids[i * Positions + 1 + j] = c + 2;
            }
        }
        var tensorIds = tensor(ids).reshape(texts.Count, Positions);
        return (tensorIds, tensorIds.ne(Pad));
    }
}
