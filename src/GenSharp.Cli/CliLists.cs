using System.Globalization;

namespace GenSharp.Cli;

/// <summary>Comma-separated option values (<c>--seeds 1,2</c>, <c>--steps 10,20,50</c>, <c>--eta 0,0.5</c>), with one-line refusals.</summary>
public static class CliLists
{
    public static long[] Longs(string text, string flag) => Parse<long>(text, flag, "integers", s =>
        long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) ? v : (long?)null);

    public static int[] Ints(string text, string flag) => Parse<int>(text, flag, "integers", s =>
        int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : null);

    public static double[] Doubles(string text, string flag) => Parse<double>(text, flag, "numbers", s =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) ? v : null);

    private static T[] Parse<T>(string text, string flag, string what, Func<string, T?> parse) where T : struct
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = parts.Select(parse).ToArray();
        if (parts.Length > 100 || values.Any(v => v is null))
        {
            string example = typeof(T) == typeof(double) ? "0,0.5,1" : "10,20,50";
            throw new ConfigException($"{flag} {text}: give comma-separated {what}, e.g. {flag} {example}");
        }
        return values.Select(v => v!.Value).Distinct().ToArray();
    }
}
