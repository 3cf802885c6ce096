using GenSharp.Evaluation;
using System.Globalization;
using System.Text.Json;
using GenSharp.Output;
using GenSharp.Training;

namespace GenSharp.Vae;

/// <summary>
/// report.html of a VAE run: test ELBO and its terms, image metrics beside the floor and ceiling with the predicted-class
/// histogram, training curves, FD and mode coverage per epoch, samples, reconstructions, interpolation, configuration.
/// </summary>
internal static class VaeReport
{
    public static void Write(RunDirectory run, VaeConfig config, IReadOnlyDictionary<string, double?> metrics, string? metricsSkipped,
        ImageMetricsReport? scores = null, ReferenceBaselines.Result? baselines = null)
    {
        var n = config.Network;
        var report = new HtmlReport($"VAE on Fashion-MNIST — {run.Name}");
        report.AddParagraph($"{(n.Spatial ? $"Spatial latent {n.LatentChannels}x7x7" : $"Flat latent of dimension {n.FlatDim}")}, {n.Likelihood} " +
            $"likelihood on pixels in [0, 1], " +
            $"width {n.Width}, {config.Training.Epochs} epochs, batch {config.Training.Batch}, lr " +
            $"{config.Training.Lr}{(config.KlWeight != 1 ? $", KL weight {config.KlWeight}" : "")}. " +
            "ELBO = E_q[log p(x|z)] - KL(q(z|x) || N(0, I)), in nats per image (one reparameterised sample per image); higher is better.");
        report.AddHeading("Test-set metrics");
        if (metricsSkipped is not null) report.AddParagraph($"FD, KID, precision/recall of prior samples were not computed: {metricsSkipped}.");
        report.AddTable(["metric", "value"], metrics.Where(kv => !kv.Key.EndsWith("_floor", StringComparison.Ordinal)
            && !kv.Key.EndsWith("_noise", StringComparison.Ordinal))
            .Select(kv => (IReadOnlyList<string>)[kv.Key, kv.Value?.ToString("G6", CultureInfo.InvariantCulture) ?? "n/a"]));
        if (scores is not null && baselines is not null)
            BaselineTable.AddTo(report, "VAE prior samples", scores, baselines.RealVsReal, baselines.NoiseVsReal);
        string histogram = Path.Combine(run.PlotsDir, VaeFigures.ClassHistogramPng);
        report.AddImageRow(scores is not null && File.Exists(histogram)
            ? [(Path.Combine(run.PlotsDir, VaeFigures.SamplesPng), "decoded prior samples z ~ N(0, I)"),
            (histogram, "predicted classes of the samples")]
            : [(Path.Combine(run.PlotsDir, VaeFigures.SamplesPng), "decoded prior samples z ~ N(0, I)")]);
        report.AddImage(Path.Combine(run.PlotsDir, VaeFigures.ReconstructionsPng),
            "test images (top) and their reconstructions from the latent mean (bottom)");
        report.AddImage(Path.Combine(run.PlotsDir, VaeFigures.InterpolationPng),
            "decoded straight lines between the latent means of two test images");

        report.AddHeading("Training curves");
        var (steps, elbo) = run.Metrics.Series("elbo_nats");
        if (steps.Length > 0)
        {
            string png = Path.Combine(run.PlotsDir, "elbo.png");
            new LinePlot { Title = "ELBO and its terms (training batches)", XLabel = "step", YLabel = "nats per image" }
                .Add(steps, elbo, "ELBO").Add(steps, run.Metrics.Series("recon_nats").Values, "E[log p(x|z)]")
                .Add(steps, run.Metrics.Series("kl_nats").Values.Select(v => -v).ToArray(), "-KL").Save(png);
            report.AddImage(png, "training ELBO = reconstruction - KL, per logged step");
        }
        var (es, testElbo) = run.EvalCurve.Series("test_elbo_nats");
        if (es.Length > 0)
        {
            string png = Path.Combine(run.PlotsDir, "test-elbo.png");
            new LinePlot { Title = "test-set ELBO per epoch", XLabel = "epoch", YLabel = "nats per image" }
                .Add(run.EvalCurve.Series("epoch").Values, testElbo, "test ELBO").Save(png);
            report.AddImage(png, "test ELBO after each epoch");
        }
        TrainingReportSections.AddEpochImageMetrics(report, run, "VAE prior samples");
        report.AddHeading("Configuration");
        report.AddPreformatted(JsonSerializer.Serialize(config, JsonDefaults.Options));
        report.Save(run.ReportPath);
    }
}
