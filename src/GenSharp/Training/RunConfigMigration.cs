using System.Text.Json.Nodes;

namespace GenSharp.Training;

/// <summary>
/// Brings a config.json written before <see cref="TrainingSettings"/> existed (its shared fields flat beside the family's own,
/// some under a family's older name) to today's layout, so that old runs still sample, evaluate and resume. A config that
/// already has a <c>training</c> object is returned unchanged.
/// </summary>
internal static class RunConfigMigration
{
    private static readonly string[] Shared =
    [
        "data", "seed", "steps", "epochs", "batch", "lr", "warmup_steps", "lr_decay", "weight_decay", "grad_clip", "ema_decay", "log_every",
        "checkpoint_every", "sample_every", "eval_every", "eval_samples", "final_eval_samples", "tensor_board",
    ];

    /// <summary>Moves the shared fields of a flat configuration into its <c>training</c> object (in place); returns it.</summary>
    public static JsonObject ToCurrent(JsonObject config)
    {
        if (config.ContainsKey("training")) return config;
        string model = config["model"] is JsonValue m && m.TryGetValue(out string? s) ? s : "";
        // the renames of the families whose names predate the shared record
        if (model == "ddpm-toy2d")
        {
            Rename(config, "eval_samples", "final_eval_samples", 5000);
            Rename(config, "curve_samples", "eval_samples", 2000);
            // configurations written before --eval-every evaluated at every sample grid
            if (config["eval_every"] is null) config["eval_every"] = config["sample_every"]?.DeepClone() ?? 2000;
        }
        else if (model is "gan-fmnist" or "vae-fmnist")
        {
            Rename(config, "eval_samples", "final_eval_samples", 10_000);
            Rename(config, "epoch_eval_samples", "eval_samples", 2000);
            string? dir = config["data_dir"] is JsonValue d && d.TryGetValue(out string? path) ? path : null;
            config.Remove("data_dir");
            config["data"] = dir is null ? "fashion-mnist" : "fashion-mnist:" + dir;
            config["steps"] ??= 0;
            // the GAN has no warm-up or clipping, the VAE no EMA: say so rather than take the image defaults
            config["warmup_steps"] ??= 0;
            config["grad_clip"] ??= 0;
            config["ema_decay"] ??= 0;
        }
        var training = new JsonObject();
        foreach (string key in Shared)
            if (config.Remove(key, out var value)) training[key] = value;
        config["training"] = training;
        return config;
    }

    private static void Rename(JsonObject config, string from, string to, int fallback) =>
        config[to] = config.Remove(from, out var value) && value is not null ? value : fallback;
}
