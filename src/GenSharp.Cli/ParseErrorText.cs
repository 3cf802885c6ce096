using System.Text.RegularExpressions;

namespace GenSharp.Cli;

/// <summary>
/// The parser's messages in the user's terms: "Cannot parse argument 'x' for option '--n' as expected type
/// 'System.Nullable`1[System.Int64]'" becomes "--n 'x': expected a whole number from -9223372036854775808 to
/// 9223372036854775807". No .NET type name ever reaches the user.
/// </summary>
public static partial class ParseErrorText
{
    public static string Clean(string message)
    {
        var m = CannotParse().Match(message);
        if (m.Success)
            return $"{m.Groups["option"].Value} '{m.Groups["value"].Value}': expected {Expected(m.Groups["type"].Value)}";
        return TypeName().Replace(message, t => Expected(t.Groups["type"].Value));
    }

    /// <summary>What a value of a .NET type looks like, in words.</summary>
    internal static string Expected(string type)
    {
        string t = NullableOf().Match(type) is { Success: true } n ? n.Groups["inner"].Value : type;
        return t switch
        {
            "System.Int32" => $"a whole number from {int.MinValue} to {int.MaxValue}",
            "System.Int64" => $"a whole number from {long.MinValue} to {long.MaxValue}",
            "System.UInt64" or "System.UInt32" => "a non-negative whole number",
            "System.Double" or "System.Single" => "a number (e.g. 0.5, 1e-4)",
            "System.Boolean" => "true or false",
            "System.String" => "text",
            _ => "a value of another form (see --help)",
        };
    }

    [GeneratedRegex(@"Cannot parse argument '(?<value>.*)' for (option|command|argument) '(?<option>[^']*)' as expected type '(?<type>[^']*)'\.?")]
    private static partial Regex CannotParse();

    [GeneratedRegex(@"'?(?<type>System\.[A-Za-z0-9_.`\[\]]+)'?")]
    private static partial Regex TypeName();

    [GeneratedRegex(@"^System\.Nullable`1\[(?<inner>[^\]]+)\]$")]
    private static partial Regex NullableOf();
}
