using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using GenSharp.Evaluation;
using GenSharp.Training;

namespace GenSharp.Pipelines;

/// <summary>
/// The rows of an unfinished <c>gensharp compare</c> (docs/evaluation.md#compare): each run's row is kept in
/// <c>OUT/rows/NAME.json</c> as soon as it is scored, with what it was scored from (the run's folder and latest checkpoint: name, size and
/// time written; n, seed, two-sample-test epochs and the feature network's version). A compare that was interrupted and is run again with
/// the same --out scores only the runs whose row is missing or stale; scoring is the long part (sampling N images per run).
/// </summary>
internal static class ComparisonRowCache
{
    private static string PathOf(CompareRequest request, string name) => Path.Combine(request.Output, "rows", name + ".json");

    /// <summary>What a row was scored from; a row scored from anything else is stale.</summary>
    public static string Key(RunDirectory run, CompareRequest request)
    {
        string? latest = Checkpoint.FindLatest(run.CheckpointsDir);
        string checkpoint = latest is null
            ? "none"
            : FormattableString.Invariant(
                $"{Path.GetFileName(latest)}:{new FileInfo(latest).Length}:{File.GetLastWriteTimeUtc(latest).Ticks}");
        return FormattableString.Invariant($"{Path.GetFullPath(run.Root)}|{checkpoint}|n={request.N}|seed={request.Seed}|")
            + FormattableString.Invariant($"c2st={request.C2stEpochs}|{FeatureClassifierConfig.Version}");
    }

    /// <summary>The kept row of run <paramref name="name"/> when it was scored from <paramref name="key"/> and its grid exists; else null.</summary>
    public static Dictionary<string, object?>? TryRead(CompareRequest request, string name, string key)
    {
        string path = PathOf(request, name);
        if (!File.Exists(path)) return null;
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(path)) as JsonObject;
            if (node?["key"]?.GetValue<string>() != key || node["row"] is not JsonObject row) return null;
            var result = row.ToDictionary(p => p.Key, p => Value(p.Value));
            return result.GetValueOrDefault("grid") is string grid && File.Exists(Path.Combine(request.Output, grid)) ? result : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return null; // a damaged row is scored again
        }
    }

    /// <summary>Keeps <paramref name="row"/> (written atomically).</summary>
    public static void Write(CompareRequest request, string name, string key, Dictionary<string, object?> row)
    {
        Directory.CreateDirectory(Path.Combine(request.Output, "rows"));
        var json = new Dictionary<string, object?> { ["key"] = key, ["row"] = row };
        AtomicFile.WriteAllText(PathOf(request, name), JsonSerializer.Serialize(json, JsonDefaults.Options) + "\n");
    }

    /// <summary>A JSON value as the scorer wrote it: a number as double (long when integral and so written), a string, or null.</summary>
    private static object? Value(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => Number(v.ToJsonString()),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        _ => node.ToJsonString(),
    };

    private static object Number(string text) => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l)
        ? (object)l
        : double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
}
