using System.Text;

namespace GenSharp.Interop;

/// <summary>
/// Python's <c>json</c> module writes the floats inf, -inf and nan as the bare tokens <c>Infinity</c>, <c>-Infinity</c> and
/// <c>NaN</c>, which strict JSON (and System.Text.Json) refuses; diffusers' configs hold one (<c>lambda_min_clipped: -Infinity</c>).
/// <see cref="Quote"/> turns those tokens (outside strings) into strings before parsing; <see cref="Unquote"/> turns the strings
/// back into tokens when writing, so that Python reads a float again.
/// </summary>
internal static class PythonJson
{
    private static readonly string[] Tokens = ["-Infinity", "Infinity", "NaN"];

    public static string Quote(string json)
    {
        var sb = new StringBuilder(json.Length + 16);
        bool inString = false;
        for (int i = 0; i < json.Length; i++)
        {
            char c = json[i];
            if (inString)
            {
                sb.Append(c);
                if (c == '\\' && i + 1 < json.Length) sb.Append(json[++i]);
                else if (c == '"') inString = false;
                continue;
            }
            if (c == '"') { inString = true; sb.Append(c); continue; }
            string? token = Tokens.FirstOrDefault(t => string.CompareOrdinal(json, i, t, 0, t.Length) == 0);
            if (token is not null)
            {
                sb.Append('"').Append(token).Append('"');
                i += token.Length - 1;
                continue;
            }
            sb.Append(c);
        }
        return sb.ToString();
    }

    public static string Unquote(string json)
    {
        foreach (string t in Tokens) json = json.Replace($": \"{t}\"", $": {t}", StringComparison.Ordinal);
        return json;
    }
}
