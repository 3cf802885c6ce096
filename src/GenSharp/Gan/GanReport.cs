using System.Globalization;
using System.Text.Json;
using GenSharp.Evaluation;
using GenSharp.Output;
using GenSharp.Training;

namespace GenSharp.Gan;

/// <summary>report.html of a GAN run: losses, the critic's Wasserstein estimate, metrics and class histogram per epoch, sample grids, final metrics,
/// configuration.</summary>
internal static class GanReport
{
    public static void Write(RunDirectory run, GanConfig config, IReadOnlyDictionary<string, double?> metrics, string? metricsSkipped,
        ImageMetricsReport? scores = null, ReferenceBaselines.Result? baselines = null)
    {
        var report = new HtmlReport($"GAN ({config.Loss}) on Fashion-MNIST — {run.Name}");
        report.AddParagraph($"Objective {config.Loss}, {config.Optimizer} lr {config.Training.Lr} (betas {config.Beta1}, {config.Beta2}), " +
            $"n_critic {config.NCritic}, batch {config.Training.Batch}, " +
            $"{config.Training.Epochs} epochs, z = {config.Network.ZDim}" +
            (config.InstanceNoise.Sigma > 0 ? $", instance noise sigma " +
                $"{config.InstanceNoise.Sigma}{(config.InstanceNoise.Anneal ? " annealed to 0" : "")}" : "") +
            (config.Loss == "wgan" ? $", weight clipping c = {config.Clip}" : "")
                + (config.Loss == "wgan-gp" ? $", gradient penalty lambda = {config.GpLambda}" : "") + ".");

        report.AddHeading("Final metrics");
        if (metricsSkipped is not null) report.AddParagraph($"FD, KID, precision/recall were not computed: {metricsSkipped}.");
        if (scores is not null && baselines is not null)
            BaselineTable.AddTo(report, $"{config.Loss} generator", scores, baselines.RealVsReal, baselines.NoiseVsReal);
        report.AddTable(["metric", "value"], metrics.Where(kv => !kv.Key.EndsWith("_floor", StringComparison.Ordinal)
            && !kv.Key.EndsWith("_noise", StringComparison.Ordinal))
            .Select(kv => (IReadOnlyList<string>)[kv.Key, kv.Value?.ToString("G5", CultureInfo.InvariantCulture) ?? "n/a"]));
        report.AddImageRow([(Path.Combine(run.PlotsDir, "samples.png"), "samples of the final generator"),
            (Path.Combine(run.PlotsDir, "class-histogram.png"), "predicted classes of the samples")]);

        report.AddHeading("Training curves");
        var log = run.Metrics;
        var (steps, d) = log.Series("d_loss");
        var (_, g) = log.Series("g_loss");
        if (steps.Length > 0)
        {
            string lossPng = Path.Combine(run.PlotsDir, "losses.png");
            new LinePlot { Title = "discriminator and generator losses", XLabel = "generator step", YLabel = "loss" }
                .Add(steps, d, "discriminator").Add(steps, g, "generator").Save(lossPng);
            report.AddImage(lossPng, "losses per logged step (means over the log window)");
        }
        var (ws, w) = log.Series("wasserstein_estimate");
        if (ws.Length > 0)
        {
            string wPng = Path.Combine(run.PlotsDir, "wasserstein.png");
            new LinePlot { Title = "critic's Wasserstein estimate mean D(x) - mean D(G(z))", XLabel = "generator step", YLabel = "estimate" }
                .Add(ws, w, "estimate").Save(wPng);
            report.AddImage(wPng, "the critic's estimate of W1 (up to the Lipschitz constant); it should fall as samples improve");
        }

        TrainingReportSections.AddEpochImageMetrics(report, run, $"{config.Loss} generator samples");

        var grids = Directory.GetFiles(run.SamplesDir, "epoch-*.png").Order(StringComparer.Ordinal).ToArray();
        if (grids.Length > 0)
        {
            report.AddHeading("Samples during training (fixed z)");
            report.AddImageRow(TrainingReportSections.Pick(grids).Select(p => (p, Path.GetFileNameWithoutExtension(p))));
        }
        report.AddHeading("Configuration");
        report.AddPreformatted(JsonSerializer.Serialize(config, JsonDefaults.Options));
        report.Save(run.ReportPath);
    }
}
