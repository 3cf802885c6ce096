using System.Text.Json;
using GenSharp.Evaluation;
using GenSharp.Output;
using GenSharp.Training;
using static TorchSharp.torch;

namespace GenSharp.Pipelines;

/// <summary>
/// report.html of an image run: the family's introduction; the evaluation (metrics beside the floor and ceiling, or the reason
/// there are none, the predicted-class histogram, the sampler's cost, the samples); the family's own sections; the training
/// loss, the FD curve beside its floor and the grid progression; the configuration.
/// </summary>
internal static class ImageRunReport
{
    public static void Write<TConfig, TNet>(IImageFamily<TConfig, TNet> family, RunDirectory run, TConfig config, ImageEvaluationResult? evaluation)
        where TConfig : ImageRunConfig
        where TNet : nn.Module
    {
        var text = family.Text;
        var html = new HtmlReport($"GenSharp run {run.Name}: {text.Name} on {config.Training.Data}");
        html.AddParagraph(text.Introduction);
        if (evaluation is not null) AddEvaluation(html, run, evaluation, family.EvaluationRows(evaluation));
        family.AddReportSections(html, run, config);

        html.AddHeading("Training");
        string loss = Path.Combine(run.PlotsDir, "loss.png");
        var (steps, losses) = run.Metrics.Series("loss");
        if (steps.Length > 0)
        {
            new LinePlot { Title = text.LossTitle, XLabel = "step", YLabel = "loss", LogY = losses.All(v => v > 0), Smooth = 9 }
                .Add(steps, losses, text.LossLegend).Save(loss);
            html.AddImage(loss, text.LossCaption);
        }
        TrainingReportSections.AddFdCurve(html, run, $"EMA samples ({family.SamplerLabel(config)}, n = {config.Training.EvalSamples})",
            "FD over training");
        TrainingReportSections.AddGridProgression(html, run);
        html.AddHeading("Configuration");
        html.AddPreformatted(JsonSerializer.Serialize(config, config.GetType(), JsonDefaults.Options));
        html.Save(run.ReportPath);
    }

    private static void AddEvaluation(HtmlReport html, RunDirectory run, ImageEvaluationResult evaluation, IEnumerable<(string, string)> familyRows)
    {
        html.AddHeading("Evaluation");
        var m = evaluation.Metrics;
        string label = $"{evaluation.Json["sampler_label"]}";
        if (evaluation.Model is { } model)
        {
            if (evaluation.Floor is { } floor && evaluation.Ceiling is { } ceiling) BaselineTable.AddTo(html, label, model, floor, ceiling);
            else BaselineTable.AddWithoutFloor(html, label, model, evaluation.FloorUnavailable ?? "not computed");
            string hist = Path.Combine(run.PlotsDir, "class-histogram.png");
            var classes = Enumerable.Range(0, model.ClassHistogram.Length).Select(i => (double)i).ToArray();
            string classAxis = "class " + string.Join(", ", evaluation.ClassNames.Select((c, i) => $"{i}={c}"));
            string title = "Predicted classes of the samples (a flat line = every class equally often)";
            new LinePlot { Title = title, XLabel = classAxis, YLabel = "fraction" }
                .Add(classes, model.ClassHistogram, "samples")
                .Add(classes, classes.Select(_ => 1.0 / model.ClassHistogram.Length).ToArray(), "uniform")
                .Save(hist, 900, 380);
            html.AddImage(hist, "Predicted-class histogram of the samples: mode collapse shows up as missing classes");
        }
        if (evaluation.Json.TryGetValue("notes", out var notes) && notes is string text) html.AddParagraph(text);
        var rows = new List<(string, string)>
        {
            ("samples", evaluation.Json["n"]?.ToString() ?? ""),
            ("sampler", $"{label}: {m["function_evaluations"]:F0} network evaluations per sample, " +
                        $"{m["sampling_s"]:F1} s ({m["samples_per_s"]:F2} samples/s)"),
        };
        rows.AddRange(familyRows);
        html.AddKeyValueTable(rows);
        html.AddImage(evaluation.SampleGrid, $"Samples ({label}, EMA weights)");
    }
}
