using System.Text.Json;
using System.Text.Json.Serialization;

namespace GenSharp;

/// <summary>The one JSON style of GenSharp's files: snake_case names, indented, enums as strings.</summary>
internal static class JsonDefaults
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Compact single-line variant for JSON-lines logs.</summary>
    public static readonly JsonSerializerOptions Compact = new(Options) { WriteIndented = false };
}
