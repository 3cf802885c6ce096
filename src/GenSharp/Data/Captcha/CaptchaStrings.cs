using System.Security.Cryptography;
using System.Text;

namespace GenSharp.Data.Captcha;

/// <summary>Which strings a CAPTCHA is drawn from: the training set or the test set, disjoint (docs/captcha.md#unseen-strings).</summary>
public enum CaptchaSplit
{
    Train,
    Test,
}

/// <summary>
/// Random strings of an alphabet, split into two disjoint sets by a hash of the string: a string is a test string when the
/// first four bytes of SHA-256(UTF-8 string), read as an unsigned integer, are 0 modulo <see cref="TestModulus"/> (one string
/// in ten). The split depends on the string alone, so every seed, run and tool agrees on it, and "unseen text" means a
/// string no training image ever showed.
/// </summary>
public static class CaptchaStrings
{
    /// <summary>One string in <see cref="TestModulus"/> is a test string.</summary>
    public const uint TestModulus = 10;

    /// <summary>The set <paramref name="text"/> belongs to.</summary>
    public static CaptchaSplit SplitOf(string text)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        uint h = (uint)(hash[0] << 24 | hash[1] << 16 | hash[2] << 8 | hash[3]);
        return h % TestModulus == 0 ? CaptchaSplit.Test : CaptchaSplit.Train;
    }

    /// <summary>A uniform random string of <paramref name="split"/> (rejection sampling over uniform strings).</summary>
    public static string Draw(Random rng, string alphabet, int length, CaptchaSplit split)
    {
        var chars = new char[length];
        for (int attempt = 0; attempt < 100_000; attempt++)
        {
            for (int i = 0; i < length; i++) chars[i] = alphabet[rng.Next(alphabet.Length)];
            var text = new string(chars);
            if (SplitOf(text) == split) return text;
        }
        throw new ConfigException($"no {split} string of length {length} over '{alphabet}' found; use a longer alphabet or length");
    }
}
