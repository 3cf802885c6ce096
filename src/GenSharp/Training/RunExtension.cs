using System.Text;
using System.Text.Json.Nodes;

namespace GenSharp.Training;

/// <summary>
/// Extends a run's final step before it is resumed (<c>train ... --resume --steps N</c>), so that a run can be trained
/// further without starting over. Only a constant learning rate after warm-up can be extended: with a decaying schedule the
/// steps already taken would have seen a different rate than a run trained to N from the start.
/// </summary>
internal static class RunExtension
{
    /// <summary>Rewrites <c>steps</c> in config.json (atomically) to <paramref name="newSteps"/>; returns the old value.</summary>
    public static long ExtendSteps(RunDirectory run, long newSteps)
    {
        JsonNode root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(run.ConfigPath)) ?? throw new ConfigException($"{run.ConfigPath} is empty");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new ConfigException($"{run.ConfigPath} is not valid JSON (line {e.LineNumber + 1}); restore it or start a new run");
        }
        if (root is not JsonObject config || RunConfigMigration.ToCurrent(config)["training"] is not JsonObject obj
            || obj["steps"] is not JsonValue stepsValue || !stepsValue.TryGetValue(out long oldSteps) || oldSteps < 1)
            throw new ConfigException($"{run.ConfigPath} has no integer \"steps\" of at least 1 in \"training\"; only step-based runs " +
                "written by gensharp train can be extended");
        if (newSteps == oldSteps) return oldSteps;
        if (newSteps < oldSteps)
            throw new ConfigException($"--steps {newSteps} is below the run's configured {oldSteps} steps; a resumed run can only be extended");
        string decay = obj["lr_decay"] is JsonValue d && d.TryGetValue(out string? s) ? s : "constant";
        if (decay != "constant")
            throw new ConfigException($"{run.ConfigPath} uses lr_decay '{decay}', whose rate depends on the final step; only constant-rate " +
                $"runs can be extended (start a new run with --steps {newSteps})");
        obj["steps"] = newSteps;
        AtomicFile.Write(run.ConfigPath, f => f.Write(Encoding.UTF8.GetBytes(config.ToJsonString(JsonDefaults.Options) + "\n")));
        return oldSteps;
    }
}
