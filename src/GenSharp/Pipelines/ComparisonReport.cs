using System.Globalization;
using GenSharp.Output;

namespace GenSharp.Pipelines;

/// <summary>
/// compare.html (docs/evaluation.md#compare): the sortable table of <see cref="RunComparison.Columns"/>, the quality/diversity/speed plot
/// (FD against samples/s, marker size by recall) with the Pareto front marked, and one sample grid per run at the same seed.
/// </summary>
internal static class ComparisonReport
{
    /// <summary>
    /// Indices of the runs no other run dominates on (lower FD, higher recall, higher samples/s): at least as good on all three and better
    /// on one. A run without an FD is on no front.
    /// </summary>
    public static IReadOnlyList<int> ParetoFront(IReadOnlyList<Dictionary<string, object?>> rows)
    {
        var points = rows.Select(r => (Fd: D(r, "fd"), Recall: D(r, "recall") ?? 0, Speed: D(r, "samples_per_s") ?? 0)).ToList();
        bool Dominates(int a, int b) =>
            points[a].Fd <= points[b].Fd && points[a].Recall >= points[b].Recall && points[a].Speed >= points[b].Speed
            && (points[a].Fd < points[b].Fd || points[a].Recall > points[b].Recall || points[a].Speed > points[b].Speed);
        return Enumerable.Range(0, rows.Count)
            .Where(i => points[i].Fd is not null && !Enumerable.Range(0, rows.Count).Any(j => j != i && points[j].Fd is not null && Dominates(j, i)))
            .ToList();
    }

    /// <summary>Writes compare.html and trilemma.png into the request's output folder.</summary>
    public static void Write(CompareRequest request, IReadOnlyList<Dictionary<string, object?>> rows)
    {
        var front = ParetoFront(rows);
        string plotPath = Path.Combine(request.Output, "trilemma.png");
        SavePlot(rows, front, plotPath);
        var html = new HtmlReport("GenSharp compare: the generative trilemma on one yardstick");
        html.AddParagraph($"{rows.Count} run(s), each sampled {request.N} times at seed {request.Seed} with its own sampler, scored with the " +
            "same feature network against the same held-out images (docs/evaluation.md#compare). FD and KID: lower is better, beside the " +
            "real-vs-real floor at the same n. C2ST: held-out accuracy of a fresh discriminator telling the samples from real images " +
            "(0.5 = indistinguishable). * marks the Pareto front over (FD, recall, samples/s).");
        var headers = new List<string> { "run", "model", "sampler" };
        headers.AddRange(RunComparison.Columns);
        html.AddSortableTable(headers, rows.Select((r, i) =>
            (IReadOnlyList<string>)new[] { (front.Contains(i) ? "* " : "") + r["run"], S(r["model"]), S(r["sampler"]) }
                .Concat(RunComparison.Columns.Select(c => S(r.GetValueOrDefault(c)))).ToList()));
        html.AddImage(plotPath, "quality (FD, lower is better) against speed (samples/s); marker size grows with recall (diversity)");
        html.AddHeading("Samples at the same seed");
        html.AddImageRow(rows.Select(r => (Path.Combine(request.Output, S(r["grid"])), S(r["run"]))));
        html.Save(Path.Combine(request.Output, "compare.html"));
    }

    private static void SavePlot(IReadOnlyList<Dictionary<string, object?>> rows, IReadOnlyList<int> front, string path)
    {
        var scatter = new ScatterPlot { Title = "quality, diversity, speed", XLabel = "log10 samples/s", YLabel = "FD (lower is better)" };
        var scored = Enumerable.Range(0, rows.Count).Where(i => D(rows[i], "fd") is not null).ToList();
        foreach (int i in scored)
            scatter.Add([Math.Log10(Math.Max(D(rows[i], "samples_per_s") ?? 1e-3, 1e-3))], [D(rows[i], "fd")!.Value],
                (front.Contains(i) ? "* " : "") + S(rows[i]["run"]), 6 + 14 * (float)(D(rows[i], "recall") ?? 0));
        var plot = scatter.Build();
        plot.HideLegend(); // the legend hid points; each point is named beside it instead, so colours that repeat stay readable
        foreach (int i in scored)
        {
            var label = plot.Add.Text((front.Contains(i) ? "* " : "") + S(rows[i]["run"]),
                Math.Log10(Math.Max(D(rows[i], "samples_per_s") ?? 1e-3, 1e-3)), D(rows[i], "fd")!.Value);
            label.LabelFontSize = 11;
            label.LabelOffsetX = 8;
        }
        plot.Axes.Margins(0.05, 0.3, 0.08, 0.08); // room on the right for the fastest runs' names
        var frontPoints = front.Select(i => (X: Math.Log10(Math.Max(D(rows[i], "samples_per_s") ?? 1e-3, 1e-3)), Y: D(rows[i], "fd")!.Value))
            .OrderBy(p => p.X).ToList();
        if (frontPoints.Count > 1)
        {
            var line = plot.Add.ScatterLine(frontPoints.Select(p => p.X).ToArray(), frontPoints.Select(p => p.Y).ToArray());
            line.LegendText = "Pareto front";
            line.LinePattern = ScottPlot.LinePattern.Dashed;
        }
        PlotStyle.SavePng(plot, path, 700, 500);
    }

    private static double? D(Dictionary<string, object?> row, string key) => row.GetValueOrDefault(key) switch
    {
        double d when double.IsFinite(d) => d,
        int i => i,
        long l => l,
        _ => null,
    };

    private static string S(object? value) => value switch
    {
        null => "n/a",
        double d => d.ToString("G4", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
