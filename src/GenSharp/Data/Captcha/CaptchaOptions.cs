using System.Globalization;

namespace GenSharp.Data.Captcha;

/// <summary>
/// What <c>--data captcha[:OPTIONS]</c> renders (docs/captcha.md#options): strings of <see cref="Length"/> characters from
/// <see cref="Alphabet"/>, drawn at <see cref="Height"/> x <see cref="Width"/> grey pixels; an image run trains on
/// <see cref="Train"/> images of training strings and is scored against <see cref="HeldOut"/> images of test strings,
/// both rendered from <see cref="Seed"/>. OPTIONS is a comma-separated list of <c>key=value</c>
/// (<c>length</c>, <c>alphabet</c>, <c>n</c>, <c>heldout</c>, <c>seed</c>), e.g. <c>captcha:length=5,n=5000</c>.
/// </summary>
public sealed record CaptchaOptions
{
    /// <summary>Digits and capital letters without the ambiguous 0/O and 1/I pairs: 32 symbols.</summary>
    public const string DefaultAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

    /// <summary>The image size: 32 x 96 (docs/captcha.md#size).</summary>
    public const int Height = 32, Width = 96;

    public string Alphabet { get; init; } = DefaultAlphabet;
    public int Length { get; init; } = 4;
    public int Train { get; init; } = 20_000;
    public int HeldOut { get; init; } = 5_000;
    public long Seed { get; init; }

    /// <summary>The form run configs store: <c>captcha</c> for the defaults, else <c>captcha:</c> and the options that differ.</summary>
    public string Canonical
    {
        get
        {
            var d = new CaptchaOptions();
            var parts = new List<string>();
            if (Alphabet != d.Alphabet) parts.Add("alphabet=" + Alphabet);
            if (Length != d.Length) parts.Add(Invariant($"length={Length}"));
            if (Train != d.Train) parts.Add(Invariant($"n={Train}"));
            if (HeldOut != d.HeldOut) parts.Add(Invariant($"heldout={HeldOut}"));
            if (Seed != d.Seed) parts.Add(Invariant($"seed={Seed}"));
            return parts.Count == 0 ? "captcha" : "captcha:" + string.Join(',', parts);
        }
    }

    /// <summary>Parses the part after <c>captcha:</c> (empty: the defaults); errors name the key and what to write.</summary>
    public static CaptchaOptions Parse(string options)
    {
        var o = new CaptchaOptions();
        if (options.Length == 0) return o;
        foreach (string part in options.Split(','))
        {
            int eq = part.IndexOf('=');
            if (eq <= 0) throw Bad(options, $"'{part}' is not key=value");
            string key = part[..eq], value = part[(eq + 1)..];
            o = key switch
            {
                "alphabet" => o with { Alphabet = value },
                "length" => o with { Length = Int(options, key, value) },
                "n" => o with { Train = Int(options, key, value) },
                "heldout" => o with { HeldOut = Int(options, key, value) },
                "seed" => o with { Seed = long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long s) ? s
                    : throw Bad(options, $"seed '{value}' is not an integer") },
                _ => throw Bad(options, $"unknown key '{key}'"),
            };
        }
        return o.Validate();
    }

    /// <summary>Checks the alphabet (2 to 64 distinct characters, no comma or space), the length (1 to 8) and the counts.</summary>
    public CaptchaOptions Validate()
    {
        string where = "--data " + Canonical;
        if (Alphabet.Length is < 2 or > 64 || Alphabet.Distinct().Count() != Alphabet.Length
            || Alphabet.Any(c => c is ',' or '=' || char.IsWhiteSpace(c)))
            throw new ConfigException($"{where}: alphabet must be 2 to 64 distinct characters without ',', '=' or spaces");
        if (Length is < 1 or > 8) throw new ConfigException($"{where}: length {Length} must be between 1 and 8 (the image is {Width} pixels wide)");
        if (Train is < 1 or > 200_000) throw new ConfigException($"{where}: n {Train} must be between 1 and 200000");
        if (HeldOut is < 0 or > 200_000) throw new ConfigException($"{where}: heldout {HeldOut} must be between 0 and 200000");
        return this;
    }

    private static int Int(string options, string key, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)
            ? v
            : throw Bad(options, $"{key} '{value}' is not an integer");

    private static ConfigException Bad(string options, string what) =>
        new($"--data captcha:{options}: {what}; write captcha:key=value,... with keys alphabet, length, n, heldout, seed (docs/captcha.md#options)");

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
