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
        using var characters = Characters(texts);
        return WithStart(characters);
    }

    /// <summary>
    /// The characters alone, (B, MaxLength) int64 (alphabet index + 2, padding 0): a text-conditional run's labels, so that the empty
    /// string, the null condition, is all padding (<see cref="Pad"/>), as a class run's null label is one number.
    /// </summary>
    /// <param name="where">What the strings are, for errors (e.g. <c>--text</c>).</param>
    /// <param name="numbered">Name each string by its 1-based number after <paramref name="where"/> (e.g. <c>--text-file F line</c> 3).</param>
    /// <param name="exact">Refuse strings shorter than <see cref="MaxLength"/> (a run trained on one length only).</param>
    public Tensor Characters(IReadOnlyList<string> texts, string where = "text", bool numbered = false, bool exact = false)
    {
        var ids = new long[texts.Count * MaxLength];
        for (int i = 0; i < texts.Count; i++)
        {
            string t = texts[i];
            string at = numbered ? $"{where} {i + 1}" : where;
            if (t.Length > MaxLength || exact && t.Length < MaxLength)
                throw new ConfigException($"{at} '{t}': {t.Length} characters; this run draws strings of {(exact ? "" : "at most ")}{MaxLength}");
            for (int j = 0; j < t.Length; j++)
            {
                int c = Alphabet.IndexOf(t[j]);
                if (c < 0) throw new ConfigException($"{at} '{t}': '{t[j]}' is not in the run's alphabet {Alphabet}; use those characters");
                ids[i * MaxLength + j] = c + 2;
            }
        }
        return tensor(ids).reshape(texts.Count, MaxLength);
    }

    /// <summary>(B, MaxLength) characters -> the start token prepended: ids (B, Positions) and the mask of real tokens.</summary>
    public static (Tensor Ids, Tensor Keep) WithStart(Tensor characters)
    {
        using var scope = NewDisposeScope();
        var ids = cat([full([characters.shape[0], 1], Start, dtype: ScalarType.Int64, device: characters.device), characters], 1);
        return (ids.MoveToOuterDisposeScope(), ids.ne(Pad).MoveToOuterDisposeScope());
    }

    /// <summary>(B, MaxLength) characters back to strings (padding dropped).</summary>
    public string[] Decode(Tensor characters)
    {
        long length = characters.shape[1];
        var ids = characters.cpu().to_type(ScalarType.Int64).data<long>().ToArray();
        return Enumerable.Range(0, (int)characters.shape[0])
            .Select(i => new string(ids.Skip((int)(i * length)).Take((int)length).Where(id => id >= 2)
                .Select(id => Alphabet[(int)id - 2]).ToArray()))
            .ToArray();
    }
}
