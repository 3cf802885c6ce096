using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GenSharp.Training;

/// <summary>Reads and writes a run's config.json (snake_case, atomically).</summary>
public static class RunConfigFile
{
    /// <summary>Writes the resolved configuration.</summary>
    public static void Write<T>(RunDirectory run, T config) =>
        AtomicFile.Write(run.ConfigPath, s => s.Write(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(config, JsonDefaults.Options) + "\n")));

    /// <summary>The <c>model</c> tag of a run, which selects its recipe.</summary>
    public static string ReadKind(RunDirectory run)
    {
        using var doc = Parse(run);
        return doc.RootElement.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String
            ? m.GetString()!
            : throw new ConfigException($"{run.ConfigPath} has no \"model\" field; it was not written by gensharp train");
    }

    /// <summary>Reads the whole configuration as <typeparamref name="T"/>.</summary>
    public static T Read<T>(RunDirectory run)
    {
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(run.ConfigPath)) ?? throw new ConfigException($"{run.ConfigPath} is empty");
            if (node is JsonObject obj) node = RunConfigMigration.ToCurrent(obj);
            return node.Deserialize<T>(JsonDefaults.Options) ?? throw new ConfigException($"{run.ConfigPath} is empty");
        }
        catch (JsonException e)
        {
            throw new ConfigException($"{run.ConfigPath} is not valid run configuration JSON (line {e.LineNumber + 1}: " +
                $"{e.Message.Split('.')[0]}); restore it or start a new run");
        }
    }

    private static JsonDocument Parse(RunDirectory run)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllText(run.ConfigPath));
        }
        catch (JsonException e)
        {
            throw new ConfigException($"{run.ConfigPath} is not valid JSON (line {e.LineNumber + 1}); restore it or start a new run");
        }
    }
}
