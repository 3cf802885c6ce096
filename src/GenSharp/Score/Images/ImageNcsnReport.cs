using GenSharp.Evaluation;
using System.Globalization;
using System.Text.Json;
using GenSharp.Output;
using GenSharp.Training;

namespace GenSharp.Score.Images;

/// <summary>report.html of an image NCSN run: metrics beside the floor and ceiling, the noise plan, the annealing and denoising figures, training curves, configuration.</summary>
public static class ImageNcsnReport
{
    public static void Write(RunDirectory run, ImageNcsnConfig config, ImageNcsnEvaluationResult? evaluation)
    {
        var html = new HtmlReport($"GenSharp run {run.Name}: NCSNv2 on {config.Data}");
        html.AddParagraph("A noise-conditional score network (NCSNv2, SPEC §4) on images: the reference U-Net \"ddpm-unet\" (SPEC §3.2) with the noise level " +
            "fed to its time embedding as 250 ln(sigma) and its output divided by sigma, s(x, sigma) = u(x, sigma) / sigma, trained by denoising score " +
            "matching with weight sigma^2 at one random level per example, AdamW and EMA weights; pixels in [0, 1] as in NCSNv2. Samples come from the EMA " +
            "weights by annealed Langevin dynamics (NCSN Algorithm 1) with the final denoising step. Image metrics are computed in the feature space of " +
            "GenSharp's own Fashion-MNIST classifier on samples mapped to [-1, 1], always beside the real-vs-real floor and a noise ceiling.");

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
            html.AddKeyValueTable(
            [
                ("samples", evaluation.Json["n"]?.ToString() ?? ""),
                ("sampler", $"{evaluation.Json["sampler_label"]}: {m["function_evaluations"]:F0} network evaluations per sample, {m["sampling_s"]:F1} s ({m["samples_per_s"]:F2} samples/s)"),
            ]);
            html.AddImage(evaluation.SampleGrid, $"Samples ({evaluation.Json["sampler_label"]}, EMA weights)");
        }

        html.AddHeading("Noise levels (NCSNv2 techniques)");
        var sigmas = config.Noise.Sigmas();
        var langevin = config.Sampling.Build(sigmas);
        double ratioUsed = NoiseLevels.Ratio(langevin.Sigmas);
        html.AddKeyValueTable(
        [
            ("sigma_1", $"{sigmas[0]:G5} — {config.Noise.Sigma1Source}"),
            ("sigma_L", F(config.Noise.SigmaL)),
            ("gamma", $"{NoiseLevels.Ratio(sigmas):F5} realised; root of the overlap equation for D = {config.Dimension}: {(config.Noise.GammaRoot is double g ? g.ToString("F5", CultureInfo.InvariantCulture) : "n/a (given L)")}"),
            ("L", $"{sigmas.Length} trained levels"),
            ("sampling", $"{langevin.Sigmas.Length} levels x T = {langevin.StepsPerLevel} steps{(langevin.FinalDenoise ? " + final denoising" : "")} = {langevin.FunctionEvaluations} network evaluations per sample"),
            ("eps", $"{langevin.Eps:G4} ({(config.Sampling.Eps is null ? "technique 4" : "given")}); variance ratio s_T^2 / sigma_i^2 = {Ncsnv2Techniques.VarianceRatio(langevin.Eps, langevin.StepsPerLevel, ratioUsed, langevin.Sigmas[^1]):F4}"),
        ]);
        if (File.Exists(ImageNcsnFigures.NoiseLevelsPath(run)))
            html.AddImage(ImageNcsnFigures.NoiseLevelsPath(run), "The geometric noise levels and the Langevin step sizes alpha_i = eps sigma_i^2 / sigma_L^2");
        if (File.Exists(ImageNcsnFigures.ProgressionPath(run)))
        {
            html.AddHeading("Annealed Langevin dynamics");
            html.AddParagraph("The same chains from uniform noise through the noise levels: each column is the state after T Langevin steps at that sigma " +
                "(pixels clipped to the display range), the last column after the denoising step x + sigma_L^2 s(x, sigma_L).");
            html.AddImage(ImageNcsnFigures.ProgressionPath(run), "Annealing progression from sigma_1 to sigma_L");
        }
        if (File.Exists(ImageNcsnFigures.DenoisingPath(run)))
        {
            html.AddHeading("What the score network learned");
            html.AddParagraph("Held-out images noised at several levels (upper rows) and denoised in one step with the learned score, " +
                "x~ + sigma^2 s(x~, sigma) = E[x | x~] (Tweedie; lower rows): at large sigma it is a blurry class average, at small sigma the image itself.");
            html.AddImage(ImageNcsnFigures.DenoisingPath(run), "One-step denoising with the learned score");
        }

        html.AddHeading("Training");
        string loss = Path.Combine(run.PlotsDir, "loss.png");
        var (steps, losses) = run.Metrics.Series("loss");
        if (steps.Length > 0)
        {
            new LinePlot { Title = "Denoising score matching loss (weight sigma^2)", XLabel = "step", YLabel = "loss", LogY = true, Smooth = 9 }.Add(steps, losses, "DSM").Save(loss);
            html.AddImage(loss, "Loss per step (log scale), smoothed; it cannot reach 0: its minimum is the conditional variance of the noise given x~");
        }
        TrainingReportSections.AddFdCurve(html, run, $"EMA samples ({ImageNcsnRecipe.Label(langevin)}, n = {config.EvalSamples})", "FD over training");
        TrainingReportSections.AddGridProgression(html, run);
        html.AddHeading("Configuration");
        html.AddPreformatted(JsonSerializer.Serialize(config, JsonDefaults.Options));
        html.Save(run.ReportPath);
    }

    private static string F(double v) => double.IsNaN(v) ? "n/a" : v.ToString("G4", CultureInfo.InvariantCulture);
}
