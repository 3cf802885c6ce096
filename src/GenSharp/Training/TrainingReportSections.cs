using GenSharp.Output;

namespace GenSharp.Training;

/// <summary>
/// Report sections every image run with an FD curve and periodic sample grids shares (DDPM, NCSN): the FD-over-training
/// plot beside its floor, and the early / middle / late grids.
/// </summary>
public static class TrainingReportSections
{
    /// <summary>Plots <c>fd</c> and <c>fd_floor</c> of the run's eval_curve.jsonl, if it has any points.</summary>
    public static void AddFdCurve(HtmlReport html, RunDirectory run, string samplesLabel, string caption)
    {
        var curve = run.EvalCurve;
        var (evalSteps, fd) = curve.Series("fd");
        if (evalSteps.Length == 0) return;
        string fdPlot = Path.Combine(run.PlotsDir, "fd-over-training.png");
        var (floorSteps, floorValues) = curve.Series("fd_floor");
        new LinePlot { Title = "Fréchet distance during training", XLabel = "step", YLabel = "FD", LogY = true }
            .Add(evalSteps, fd, samplesLabel)
            .Add(floorSteps, floorValues, "floor: train vs test at the same n")
            .Save(fdPlot);
        html.AddImage(fdPlot, caption);
    }

    /// <summary>The first, middle and last of the run's <c>samples/step-*.png</c> grids in one row.</summary>
    public static void AddGridProgression(HtmlReport html, RunDirectory run)
    {
        var grids = Directory.Exists(run.SamplesDir) ? Directory.GetFiles(run.SamplesDir, "step-*.png").Order(StringComparer.Ordinal).ToList() : [];
        if (grids.Count == 0) return;
        var pick = grids.Count <= 3 ? grids : [grids[0], grids[grids.Count / 2], grids[^1]];
        html.AddParagraph("EMA samples early, midway and late in training (same start noise).");
        html.AddImageRow(pick.Select(p => (p, Path.GetFileNameWithoutExtension(p))));
    }
}
