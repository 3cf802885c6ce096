using System.Globalization;
using System.Text.Json;
using static TorchSharp.torch;

namespace GenSharp.Training;

/// <summary>
/// Values a structurally valid checkpoint may still hold that would make sampling, evaluation or resume silently wrong:
/// a NaN or infinite weight (sample and eval would print NaN metrics and exit 0), and optimiser state out of range (a
/// negative step count, AdamW betas outside [0, 1), a negative learning rate, eps or weight decay, non-finite numbers).
/// Each is refused with a <see cref="CheckpointException"/> naming the tensor or field.
/// </summary>
internal static class CheckpointValidation
{
    /// <summary>Checks every floating-point tensor is finite and every optimiser scalar is in range.</summary>
    public static void Check(string path, SafetensorsContent content)
    {
        foreach (var (name, t) in content.Tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            RequireFinite(path, name, t);
        foreach (var (key, json) in content.Metadata)
            if (key.StartsWith("optimizer.", StringComparison.Ordinal) && (key.EndsWith("param_groups") || key.EndsWith("scalars")))
                CheckScalars(path, key, json);
    }

    /// <summary>Refuses a floating-point tensor with a NaN or infinite element.</summary>
    public static void RequireFinite(string path, string name, Tensor t)
    {
        if (!t.is_floating_point() || t.numel() == 0) return;
        using var scope = NewDisposeScope();
        var bad = t.isfinite().logical_not();
        long count = bad.sum().item<long>();
        if (count == 0) return;
        long nan = t.isnan().sum().item<long>();
        throw new CheckpointException($"{path}: tensor '{name}' holds {count} non-finite values ({nan} NaN, {count - nan} infinite); " +
            "the checkpoint is corrupt or its training diverged, use an earlier checkpoint");
    }

    private static void CheckScalars(string path, string key, string json)
    {
        List<Dictionary<string, JsonElement>?>? list;
        try { list = JsonSerializer.Deserialize<List<Dictionary<string, JsonElement>?>>(json); }
        catch (JsonException) { return; } // the loader reports malformed optimiser metadata itself
        if (list is null) return;
        for (int i = 0; i < list.Count; i++)
            foreach (var (field, value) in list[i] ?? [])
            {
                if (value.ValueKind != JsonValueKind.Number) continue;
                double v = value.GetDouble();
                string? why = Range(field, v);
                if (why is null) continue;
                string shown = v.ToString("R", CultureInfo.InvariantCulture);
                throw new CheckpointException($"{path}: optimizer state {key}[{i}].{field} = {shown} {why}; the checkpoint is corrupt");
            }
    }

    private static string? Range(string field, double v)
    {
        string f = field.ToLowerInvariant();
        if (!double.IsFinite(v)) return "is not finite";
        if (f.Contains("beta")) return v is >= 0 and < 1 ? null : "must be in [0, 1)";
        if (f == "step") return v >= 0 && v == Math.Floor(v) ? null : "must be a whole number >= 0";
        if (f.Contains("eps")) return v > 0 ? null : "must be > 0";
        if (f.Contains("lr") || f.Contains("learningrate") || f.Contains("weight_decay") || f.Contains("momentum"))
            return v >= 0 ? null : "must be >= 0";
        return null;
    }
}
