using System.Globalization;
using System.Text.Json;
using GenSharp.Output;
using GenSharp.Training;

namespace GenSharp.Diffusion.Images;

/// <summary>The report section of a class-conditional image DDPM: guidance table, class-by-row grids, trade-off plot, per-class FD.</summary>
internal static class ConditionalImageReport
{
    public static void AddSections(HtmlReport html, RunDirectory run)
    {
        string path = ConditionalImageFigures.SweepJsonPath(run);
        if (!File.Exists(path)) return;
        var summary = JsonSerializer.Deserialize<ConditionalImageFigures.SweepSummary>(File.ReadAllText(path), JsonDefaults.Options);
        if (summary is null) return;
        html.AddHeading("Class-conditional samples and classifier-free guidance");
        html.AddParagraph("Guided prediction eps = eps(x, null) + w (eps(x, c) - eps(x, null)) (Ho & Salimans 2022): w = 0 is the " +
            "unconditional model, w = 1 the conditional one, larger w trades diversity (recall) for fidelity (precision, conditional accuracy). " +
            $"{summary.SamplesPerClass} samples per class and weight, all from one start noise. Conditional accuracy is the fraction the " +
            "committed feature classifier assigns to the requested class; its own accuracy on the held-out real images, the ceiling, is " +
            (summary.ClassifierRealAccuracy is { } a ? F(a) : "n/a (its classes are Fashion-MNIST's)") + ".");
        html.AddTable(["w", "conditional accuracy", "FD", "precision", "recall"],
            summary.Rows.Select(r => (IReadOnlyList<string>)[F(r.Guidance), r.ConditionalAccuracy is { } c ? F(c) : "n/a", F(r.Fd), F(r.Precision),
                F(r.Recall)]));
        if (File.Exists(ConditionalImageFigures.TradeOffPath(run)))
            html.AddImageRow([(ConditionalImageFigures.TradeOffPath(run), "fidelity and diversity over w"),
                (Path.Combine(run.PlotsDir, "guidance-fd.png"), "overall FD over w")]);
        html.AddImageRow(summary.Rows.Select(r => ConditionalImageFigures.GridPath(run, r.Guidance)).Where(File.Exists)
            .Select(p => (p, "one class per row, " + Path.GetFileNameWithoutExtension(p).Replace("classes-", "", StringComparison.Ordinal))));
        if (File.Exists(ConditionalImageFigures.PerClassFdPath(run)))
            html.AddImage(ConditionalImageFigures.PerClassFdPath(run), $"per-class FD at w = {F(summary.Guidance)}");
    }

    private static string F(double v) => double.IsNaN(v) ? "n/a" : v.ToString("G4", CultureInfo.InvariantCulture);
}
