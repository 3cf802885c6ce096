using System.Globalization;
using System.Text.RegularExpressions;

namespace GenSharp.Training;

/// <summary>Wall-time durations as users type them: <c>90</c> or <c>90s</c>, <c>30m</c>, <c>1h</c>, <c>1h30m</c>, <c>2.5m</c>.</summary>
public static partial class Durations
{
    [GeneratedRegex(@"^(?:(?<h>\d+(?:\.\d+)?)h)?(?:(?<m>\d+(?:\.\d+)?)m)?(?:(?<s>\d+(?:\.\d+)?)s?)?$")]
    private static partial Regex Pattern();

    /// <summary>The seconds <paramref name="text"/> names; a one-line error naming <paramref name="option"/> when it names none.</summary>
    public static double ParseSeconds(string text, string option)
    {
        var m = Pattern().Match(text.Trim().ToLowerInvariant());
        if (text.Trim().Length == 0 || !m.Success)
            throw new ConfigException($"{option} {text}: not a duration; write e.g. 90s, 30m, 1h or 1h30m");
        double Part(string g) => m.Groups[g].Success ? double.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture) : 0;
        double seconds = Part("h") * 3600 + Part("m") * 60 + Part("s");
        if (!(seconds > 0) || !double.IsFinite(seconds) || seconds > 365 * 86400.0)
            throw new ConfigException($"{option} {text}: must be more than 0 s and at most a year");
        return seconds;
    }

    /// <summary>A short human form: 45 s, 30 min, 1 h 30 min.</summary>
    public static string Format(double seconds) => seconds switch
    {
        < 60 => $"{seconds:0.#} s",
        < 3600 => $"{seconds / 60:0.#} min",
        _ => $"{Math.Floor(seconds / 3600):0} h" + (seconds % 3600 >= 60 ? $" {seconds % 3600 / 60:0} min" : ""),
    };
}
