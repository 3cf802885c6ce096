using System.Globalization;
using System.Text.Json;
using GenSharp.Diffusion.Conditioning;
using GenSharp.Output;
using GenSharp.Training;
using static TorchSharp.torch;

namespace GenSharp.Diffusion.Images;

/// <summary>
/// Figures of a class-conditional image DDPM (docs/evaluation.md#conditional-generation): a class-by-row sample grid at each guidance weight,
/// the fidelity/diversity trade-off over w, per-class FD bars; <see cref="ConditionalImageReport"/> shows them.
/// </summary>
internal static class ConditionalImageFigures
{
    public static string SweepJsonPath(RunDirectory run) => Path.Combine(run.PlotsDir, "guidance-sweep.json");
    public static string GridPath(RunDirectory run, double w) => Path.Combine(run.PlotsDir, $"classes-w{W(w)}.png");
    public static string TradeOffPath(RunDirectory run) => Path.Combine(run.PlotsDir, "guidance-trade-off.png");
    public static string PerClassFdPath(RunDirectory run) => Path.Combine(run.PlotsDir, "per-class-fd.png");

    public static void Write(RunDirectory run, ConditioningConfig conditioning, IReadOnlyList<ConditionalImageEvaluation.Row> rows,
        IReadOnlyList<(double W, Tensor Images)> grids, ConditionalImageEvaluation.Row main, double? realAccuracy)
    {
        Directory.CreateDirectory(run.PlotsDir);
        foreach (var (w, images) in grids)
        {
            int columns = (int)(images.shape[0] / conditioning.Classes);
            var strip = Enumerable.Range(0, conditioning.Classes)
                .Select(c => (conditioning.ClassNames[c], images.narrow(0, (long)c * columns, columns))).ToList();
            ImageStrip.Save(GridPath(run, w), strip, Enumerable.Repeat("", columns).ToList(), scale: 2);
        }
        var sorted = rows.OrderBy(r => r.Guidance).ToList();
        double[] ws = [.. sorted.Select(r => r.Guidance)];
        if (sorted.Count > 1)
        {
            var quality = new LinePlot { Title = "Guidance: fidelity vs diversity", XLabel = "guidance weight w", YLabel = "fraction" };
            if (sorted.All(r => r.ConditionalAccuracy is not null))
                quality.Add(ws, [.. sorted.Select(r => r.ConditionalAccuracy!.Value)], "conditional accuracy");
            quality.Add(ws, [.. sorted.Select(r => r.Precision)], "precision (fidelity)");
            quality.Add(ws, [.. sorted.Select(r => r.Recall)], "recall (diversity)");
            var fd = new LinePlot { Title = "Overall Fréchet distance", XLabel = "guidance weight w", YLabel = "FD" };
            fd.Add(ws, [.. sorted.Select(r => r.Fd)], "FD vs held-out images");
            quality.Save(TradeOffPath(run));
            fd.Save(Path.Combine(run.PlotsDir, "guidance-fd.png"));
        }
        new BarPlot(conditioning.ClassNames, [.. main.PerClassFd.Select(v => double.IsFinite(v) ? v : 0)])
        {
            Title = $"Per-class FD at w = {W(main.Guidance)} ({main.SamplesPerClass} samples per class)",
            YLabel = "FD vs the class's held-out images",
        }.Save(PerClassFdPath(run));
        var summary = new SweepSummary(realAccuracy, main.Guidance, main.SamplesPerClass,
            [.. sorted.Select(r => new SweepRow(r.Guidance, r.ConditionalAccuracy, r.Fd, r.Precision, r.Recall))]);
        AtomicFile.WriteAllText(SweepJsonPath(run), JsonSerializer.Serialize(summary, JsonDefaults.Options) + "\n");
    }

    public sealed record SweepRow(double Guidance, double? ConditionalAccuracy, double Fd, double Precision, double Recall);

    public sealed record SweepSummary(double? ClassifierRealAccuracy, double Guidance, int SamplesPerClass, SweepRow[] Rows);

    public static string W(double w) => w.ToString("0.###", CultureInfo.InvariantCulture);
}
