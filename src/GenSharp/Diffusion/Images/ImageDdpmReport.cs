using GenSharp.Evaluation;
using System.Globalization;
using System.Text.Json;
using GenSharp.Output;
using GenSharp.Training;
using static TorchSharp.torch;

namespace GenSharp.Diffusion.Images;

/// <summary>report.html of an image DDPM run: metrics beside the floor and ceiling, the course's figures, training curves, configuration.</summary>
public static class ImageDdpmReport
{
    public static void Write(RunDirectory run, ImageDdpmConfig config, ImageDdpmEvaluationResult? evaluation, Device device, bool quiet)
    {
        var html = new HtmlReport($"GenSharp run {run.Name}: DDPM on {config.Data}");
        html.AddParagraph("A denoising diffusion model (SPEC §2) on images: the reference U-Net \"ddpm-unet\" (SPEC §3.2) predicts the noise, " +
            "trained with L_simple, AdamW and EMA weights; samples come from the EMA weights. Image metrics are computed in the feature space " +
            "of GenSharp's own Fashion-MNIST classifier, always beside the real-vs-real floor and a noise ceiling.");

        if (evaluation is not null)
        {
            html.AddHeading("Evaluation");
            var m = evaluation.Metrics;
            if (evaluation.Model is { } model && evaluation.Floor is { } floor && evaluation.Ceiling is { } ceiling)
            {
                BaselineTable.AddTo(html, $"{evaluation.Json["sampler_label"]}", model, floor, ceiling);
                string hist = Path.Combine(run.PlotsDir, "class-histogram.png");
                var classes = Enumerable.Range(0, model.ClassHistogram.Length).Select(i => (double)i).ToArray();
                new LinePlot { Title = "Predicted classes of the samples (a flat line = every class equally often)", XLabel = "class " + string.Join(", ", evaluation.ClassNames.Select((c, i) => $"{i}={c}")), YLabel = "fraction" }
                    .Add(classes, model.ClassHistogram, "samples")
                    .Add(classes, classes.Select(_ => 1.0 / model.ClassHistogram.Length).ToArray(), "uniform")
                    .Save(hist, 900, 380);
                html.AddImage(hist, "Predicted-class histogram of the samples: mode collapse shows up as missing classes");
            }
            if (evaluation.Json.TryGetValue("notes", out var notes) && notes is string text) html.AddParagraph(text);
            var rows = new List<(string, string)>
            {
                ("samples", evaluation.Json["n"]?.ToString() ?? ""),
                ("sampler", $"{evaluation.Json["sampler_label"]}: {m["function_evaluations"]:F0} network evaluations per sample, {m["sampling_s"]:F1} s ({m["samples_per_s"]:F2} samples/s)"),
            };
            if (m.TryGetValue("bits_per_dim", out var bpd) && bpd is not null)
                rows.Add(("variational bound", $"{bpd:F3} bits/dim on {evaluation.Json["bits_per_dim_images"]} held-out images"));
            html.AddKeyValueTable(rows);
            html.AddImage(evaluation.SampleGrid, $"Samples ({evaluation.Json["sampler_label"]}, EMA weights)");
        }

        string forward = Path.Combine(run.PlotsDir, "forward-noising.png");
        if (File.Exists(forward))
        {
            html.AddHeading("The forward process");
            html.AddParagraph("Held-out images noised to step t: in the closed form x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps (upper row of each pair) " +
                "and by t single steps x_t = sqrt(1 - beta_t) x_{t-1} + sqrt(beta_t) eps (lower row). Both have the same distribution.");
            html.AddImage(forward, "Forward noising, closed form vs step by step");
        }
        string reverse = Path.Combine(run.PlotsDir, "reverse-process.png");
        if (File.Exists(reverse))
        {
            html.AddHeading("The reverse process");
            html.AddParagraph("Ancestral DDPM from pure noise (t = T) to samples (t = 0); no noise is added at the last step.");
            html.AddImage(reverse, "x_t every T/10 steps");
        }
        string samplers = ImageDdpmFigures.SamplersJsonPath(run);
        if (File.Exists(samplers))
        {
            var entries = JsonSerializer.Deserialize<List<SamplerComparisonEntry>>(File.ReadAllText(samplers), JsonDefaults.Options) ?? [];
            html.AddHeading("Samplers side by side");
            html.AddParagraph("Every sampler starts from the same noise (same seed). DDIM with eta = 0 is deterministic; eta = 1 matches DDPM's noise level; " +
                "DPM-Solver++(2M) is a second-order solver of the probability-flow ODE.");
            html.AddTable(["sampler", "network evaluations", "seconds for " + (entries.FirstOrDefault()?.Images ?? 0) + " images", "samples/s", "speed-up vs DDPM"],
                entries.Select(e => (IReadOnlyList<string>)[e.Label, e.FunctionEvaluations.ToString(CultureInfo.InvariantCulture), F(e.Seconds), F(e.SamplesPerSecond),
                    F(entries[0].Seconds / Math.Max(e.Seconds, 1e-9)) + "x"]));
            html.AddImageRow(entries.Where(e => File.Exists(e.Grid)).Select(e => (e.Grid, $"{e.Label}: {e.Seconds:F1} s")));
        }
        string interpolation = Path.Combine(run.PlotsDir, "ddim-interpolation.png");
        if (File.Exists(interpolation))
        {
            html.AddHeading("DDIM interpolation");
            html.AddParagraph("Deterministic DDIM (eta = 0) decodes spherical interpolations slerp(z_a, z_b, w) between two start noises: a smooth row of images.");
            html.AddImage(interpolation, "DDIM-50 decoding of slerp(z_a, z_b, w)");
        }

        html.AddHeading("Training");
        string loss = Path.Combine(run.PlotsDir, "loss.png");
        var (steps, losses) = run.Metrics.Series("loss");
        if (steps.Length > 0)
        {
            new LinePlot { Title = "Training loss L_simple", XLabel = "step", YLabel = "loss", LogY = true, Smooth = 9 }.Add(steps, losses, "L_simple").Save(loss);
            html.AddImage(loss, "Loss per step (log scale), smoothed");
        }
        TrainingReportSections.AddFdCurve(html, run, $"EMA samples ({config.Sampler.Label}, n = {config.EvalSamples})", "FD over training (the course's FID-per-epoch figure)");
        TrainingReportSections.AddGridProgression(html, run);
        html.AddHeading("Configuration");
        html.AddPreformatted(JsonSerializer.Serialize(config, JsonDefaults.Options));
        html.Save(run.ReportPath);
    }

    private static string F(double v) => double.IsNaN(v) ? "n/a" : v.ToString("G4", CultureInfo.InvariantCulture);
}
