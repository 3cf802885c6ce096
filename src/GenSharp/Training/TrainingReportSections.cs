using System.Text.Json;
using GenSharp.Output;

namespace GenSharp.Training;

/// <summary>
/// Report sections image runs share: the FD-over-training plot beside its floor (DDPM and NCSN per step, GAN and VAE per
/// epoch), the per-epoch mode-coverage plots of GAN and VAE runs, and the early / middle / late sample grids.
/// </summary>
internal static class TrainingReportSections
{
    /// <summary>Plots <c>fd</c> and <c>fd_floor</c> of the run's eval_curve.jsonl per step, if it has any points.</summary>
    public static void AddFdCurve(HtmlReport html, RunDirectory run, string samplesLabel, string caption)
    {
        string fdPlot = Path.Combine(run.PlotsDir, "fd-over-training.png");
        if (SaveFdCurve(run, "step", samplesLabel, "Fréchet distance during training", fdPlot)) html.AddImage(fdPlot, caption);
    }

    /// <summary>
    /// Plots <c>fd</c> and its floor <c>fd_floor</c> (train vs test at the same n, where recorded) against <paramref name="x"/>
    /// (<c>step</c> or <c>epoch</c>) on a log scale; false (no file) when the curve has no FD yet.
    /// </summary>
    public static bool SaveFdCurve(RunDirectory run, string x, string samplesLabel, string title, string png)
    {
        var curve = run.EvalCurve;
        var (xs, fd) = curve.Series(x, "fd");
        if (xs.Length == 0) return false;
        var (floorXs, floor) = curve.Series(x, "fd_floor");
        var plot = new LinePlot { Title = title, XLabel = x, YLabel = "FD", LogY = true }.Add(xs, fd, samplesLabel);
        // further samplers scored in the same records (train ddpm --eval-samplers): fd@LABEL
        var others = curve.ReadAll().SelectMany(r => r.EnumerateObject().Select(p => p.Name))
            .Where(n => n.StartsWith("fd@", StringComparison.Ordinal))
            .Distinct().Order(StringComparer.Ordinal);
        foreach (string field in others)
        {
            var (otherXs, values) = curve.Series(x, field);
            if (otherXs.Length > 0) plot.Add(otherXs, values, field[3..]);
        }
        if (floorXs.Length > 0) plot.Add(floorXs, floor, "floor: train vs test at the same n");
        plot.Save(png);
        return true;
    }

    /// <summary>
    /// The per-epoch image metrics of a GAN or VAE run (<see cref="Evaluation.EpochImageEvaluation"/>): FD per epoch beside
    /// its floor, precision, recall and the largest predicted class per epoch, and the class histograms of the first,
    /// middle and last epochs. Nothing when the curve holds no FD.
    /// </summary>
    public static void AddEpochImageMetrics(HtmlReport html, RunDirectory run, string samplesLabel)
    {
        string fdPng = Path.Combine(run.PlotsDir, "fd-per-epoch.png");
        if (!SaveFdCurve(run, "epoch", samplesLabel, "Fréchet distance per epoch", fdPng)) return;
        var curve = run.EvalCurve;
        var records = curve.ReadAll().Where(r => r.TryGetProperty("fd", out _) && r.TryGetProperty("epoch", out _)).ToList();
        var epochs = records.Select(r => r.GetProperty("epoch").GetDouble()).ToArray();
        string prPng = Path.Combine(run.PlotsDir, "precision-recall-per-epoch.png");
        new LinePlot { Title = "precision and recall per epoch", XLabel = "epoch", YLabel = "fraction" }
            .Add(epochs, records.Select(r => Number(r, "precision")).ToArray(), "precision")
            .Add(epochs, records.Select(r => Number(r, "recall")).ToArray(), "recall")
            .Add(epochs, records.Select(LargestClass).ToArray(), "largest predicted class").Save(prPng);
        html.AddHeading("Mode coverage per epoch");
        var first = records[0];
        string features = first.TryGetProperty("features", out var f) && f.ValueKind == JsonValueKind.String
            ? f.GetString()!
            : "the feature network";
        html.AddParagraph($"After every epoch, {Number(first, "n"):0} samples scored in the {features} feature space; " +
                          "the floor is FD of as many training images against the same held-out images.");
        html.AddImageRow([(fdPng, "FD per epoch, beside the floor at the same n"),
            (prPng, "recall falls and one class dominates when the generator collapses")]);
        var histograms = Directory.Exists(run.SamplesDir)
            ? Directory.GetFiles(run.SamplesDir, "classes-epoch-*.png").Order(StringComparer.Ordinal).ToArray()
            : [];
        if (histograms.Length > 0) html.AddImageRow(Pick(histograms).Select(p => (p, Path.GetFileNameWithoutExtension(p))));
    }

    /// <summary>The first, middle and last of the run's <c>samples/step-*.png</c> grids in one row.</summary>
    public static void AddGridProgression(HtmlReport html, RunDirectory run)
    {
        var grids = Directory.Exists(run.SamplesDir) ? Directory.GetFiles(run.SamplesDir, "step-*.png").Order(StringComparer.Ordinal).ToArray() : [];
        if (grids.Length == 0) return;
        html.AddParagraph("EMA samples early, midway and late in training (same start noise).");
        html.AddImageRow(Pick(grids).Select(p => (p, Path.GetFileNameWithoutExtension(p))));
    }

    /// <summary>The first, middle and last of a sorted list (early, middle, late).</summary>
    public static IEnumerable<string> Pick(string[] sorted) =>
        sorted.Length <= 3 ? sorted : [sorted[0], sorted[sorted.Length / 2], sorted[^1]];

    private static double Number(JsonElement r, string field) =>
        r.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;

    private static double LargestClass(JsonElement r) =>
        r.TryGetProperty("class_histogram", out var h) && h.ValueKind == JsonValueKind.Array && h.GetArrayLength() > 0
            ? h.EnumerateArray().Max(e => e.GetDouble()) : double.NaN;
}
