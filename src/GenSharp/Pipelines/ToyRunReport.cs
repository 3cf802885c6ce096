using System.Globalization;
using System.Text.Json;
using GenSharp.Data.Toy;
using GenSharp.Diffusion.Samplers;
using GenSharp.Evaluation;
using GenSharp.Output;
using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Pipelines;

/// <summary>
/// What a toy run's report says in its family's words: <paramref name="Title"/> (e.g. "DDPM"), the opening paragraph, the sampler's
/// description, the loss plot's title, legend and scale, and the label of a state of the reverse chain recorded at index i (the state
/// entering step i + 1 from the end).
/// </summary>
internal sealed record ToyRunText(string Title, string Intro, string Sampler, string LossTitle, string LossLegend, bool LossLogScale,
    Func<int, string> StepLabel);

/// <summary>The figures and the report.html of a 2D toy run (toy DDPM, toy VDM).</summary>
internal static class ToyRunReport
{
    /// <summary>Generated samples over the true density's heat-map.</summary>
    public static void WriteSampleScatter(Tensor samples, IToyDistribution distribution, string path, string title)
    {
        var extent = Extent(distribution);
        var (xs, ys) = Columns(samples);
        new HeatmapPlot(DensityGrid(distribution, extent, 150), extent) { Title = title, ColorBarLabel = "true density p(x)" }
            .AddPoints(xs, ys, "samples")
            .Save(path);
    }

    /// <summary>Writes every figure and report.html for <paramref name="samples"/>, drawn by <paramref name="result"/>.</summary>
    /// <param name="config">the run's config, shown as JSON</param>
    /// <param name="addSections">the family's own sections, after the metrics</param>
    public static void Write(RunDirectory run, ToyRunText text, object config, TrainingSettings training, IToyDistribution distribution,
        Tensor samples, Tensor reference, Toy2DReport report, IReadOnlyDictionary<string, double?> metrics, SamplerResult result,
        Action<HtmlReport>? addSections = null)
    {
        var extent = Extent(distribution);
        string density = Path.Combine(run.PlotsDir, "true-density.png");
        var (tx, ty) = Columns(reference);
        new HeatmapPlot(DensityGrid(distribution, extent, 200), extent) { Title = $"True density of {distribution.Name} and true samples",
            ColorBarLabel = "p(x)" }
            .AddPoints(tx.Take(2000).ToArray(), ty.Take(2000).ToArray(), "true samples")
            .Save(density);

        string compare = Path.Combine(run.PlotsDir, "samples-vs-true.png");
        var (gx, gy) = Columns(samples);
        new ScatterPlot { Title = $"True samples vs {text.Title} samples", Limits = extent }
            .Add(tx.Take(3000).ToArray(), ty.Take(3000).ToArray(), "true", 2)
            .Add(gx.Take(3000).ToArray(), gy.Take(3000).ToArray(), "generated (EMA, ancestral)", 2)
            .Save(compare);

        var reverse = new List<(string, string)>();
        foreach (var (t, x) in result.Trajectory.OrderByDescending(kv => kv.Key))
        {
            string p = Path.Combine(run.PlotsDir, $"reverse-t{t + 1:D4}.png");
            var (rx, ry) = Columns(x);
            new ScatterPlot { Title = $"x_t at {text.StepLabel(t)}", Limits = extent }.Add(rx.Take(2000).ToArray(), ry.Take(2000).ToArray(), "", 2)
                .Save(p, 320, 320);
            reverse.Add((p, text.StepLabel(t)));
        }
        string final = Path.Combine(run.PlotsDir, "reverse-t0000.png");
        new ScatterPlot { Title = "x_0 (samples)", Limits = extent }.Add(gx.Take(2000).ToArray(), gy.Take(2000).ToArray(), "", 2)
            .Save(final, 320, 320);
        reverse.Add((final, "t = 0"));

        string loss = Path.Combine(run.PlotsDir, "loss.png");
        var (steps, losses) = run.Metrics.Series("loss");
        new LinePlot { Title = text.LossTitle, XLabel = "step", YLabel = "loss", LogY = text.LossLogScale, Smooth = 9 }
            .Add(steps, losses, text.LossLegend).Save(loss);

        string curve = Path.Combine(run.PlotsDir, "metrics-over-training.png");
        var evals = run.EvalCurve;
        var (evalSteps, sw) = evals.Series("sliced_w2");
        var (_, curveN) = evals.Series("n");
        string curveSamples = curveN.Length > 0 ? curveN[^1].ToString("N0", CultureInfo.InvariantCulture) : "?";
        if (evalSteps.Length > 0)
        {
            var plot = new LinePlot { Title = $"Exact metrics of {curveSamples} EMA samples during training", XLabel = "step", YLabel = "value" }
                .Add(evalSteps, sw, "sliced W2 to true samples")
                .Add(evals.Series("sliced_w2_true_vs_true").Steps, evals.Series("sliced_w2_true_vs_true").Values, "sliced W2 floor (true vs true)");
            var (ws, we) = evals.Series("weight_error_max");
            if (ws.Length > 0) plot.Add(ws, we, "max mixture-weight error");
            plot.Save(curve);
        }

        var html = new HtmlReport($"GenSharp run {run.Name}: {text.Title} on {training.Data}");
        html.AddParagraph(text.Intro);
        html.AddHeading("Metrics");
        html.AddTable(["metric", "generated", "true samples (floor)"],
        [
            ["mean log-likelihood (nats)", F(report.SampleLogLikelihood), F(report.ReferenceLogLikelihood)],
            ["max mixture-weight error", F(report.WeightErrorMax), F(report.ReferenceWeightErrorMax)],
            ["sliced Wasserstein-2 to true samples", F(report.SlicedWasserstein), F(report.ReferenceSlicedWasserstein)],
            ["MMD^2 (RBF, bandwidth " + F(report.MmdBandwidth) + ")", F(report.Mmd2), "≈ 0"],
        ]);
        if (report.ComponentFractions is not null)
            html.AddTable(["component", "true weight", "fraction of samples"],
                report.ComponentFractions.Select((f, k) => (IReadOnlyList<string>)[k.ToString(CultureInfo.InvariantCulture),
                    F(report.TrueWeights![k]), F(f)]));
        html.AddKeyValueTable(
        [
            ("samples", report.N.ToString(CultureInfo.InvariantCulture)),
            ("sampling time", $"{result.Seconds:F2} s ({metrics["samples_per_s"]:F0} samples/s, {result.FunctionEvaluations} network evaluations)"),
            ("sampler", text.Sampler),
        ]);
        addSections?.Invoke(html);
        html.AddHeading("Data");
        html.AddImage(density, "True density (heat-map) with true samples");
        html.AddHeading("Samples");
        html.AddImage(compare, "True samples vs generated samples");
        html.AddHeading("The reverse process");
        html.AddParagraph("x_t along the reverse chain, from pure noise (t = T) to samples (t = 0).");
        html.AddImageRow(reverse);
        html.AddHeading("Training");
        html.AddImage(loss, "Loss per step (log scale), smoothed");
        if (evalSteps.Length > 0)
            html.AddImage(curve, $"Metrics over training (every {training.EvalEvery} steps, {curveSamples} EMA samples)");
        var during = Directory.Exists(run.SamplesDir)
            ? Directory.GetFiles(run.SamplesDir, "step-*.png").Order(StringComparer.Ordinal).ToList()
            : [];
        if (during.Count > 0)
        {
            var pick = during.Count <= 3 ? during : [during[0], during[during.Count / 2], during[^1]];
            html.AddParagraph("EMA samples early, midway and late in training.");
            html.AddImageRow(pick.Select(p => (p, Path.GetFileNameWithoutExtension(p))));
        }
        html.AddHeading("Configuration");
        html.AddPreformatted(JsonSerializer.Serialize(config, JsonDefaults.Options));
        html.Save(run.ReportPath);
    }

    /// <summary>The box the plots show: [-15, 15]^2 for mog2 as in seed 004, else the toy's extent plus margin.</summary>
    public static (double, double, double, double) Extent(IToyDistribution distribution)
    {
        if (distribution.Name == "mog2") return (-15, 15, -15, 15);
        using var g = new Generator(99, CPU);
        using var scope = NewDisposeScope();
        var x = distribution.Sample(20000, g).to_type(ScalarType.Float64);
        double lo = Math.Min(x.min().item<double>(), -1), hi = Math.Max(x.max().item<double>(), 1);
        double m = 0.15 * (hi - lo);
        return (lo - m, hi + m, lo - m, hi + m);
    }

    /// <summary>p(x) on an n x n grid over the extent (row 0 = lowest y).</summary>
    public static double[,] DensityGrid(IToyDistribution distribution, (double XMin, double XMax, double YMin, double YMax) e, int n)
    {
        using var scope = NewDisposeScope();
        var xs = linspace(e.XMin, e.XMax, n, dtype: ScalarType.Float64);
        var ys = linspace(e.YMin, e.YMax, n, dtype: ScalarType.Float64);
        var grid = meshgrid([ys, xs], indexing: "ij");
        var pts = stack([grid[1].flatten(), grid[0].flatten()], 1);
        var p = distribution.LogProb(pts).exp().data<double>().ToArray();
        var values = new double[n, n];
        for (int iy = 0; iy < n; iy++)
            for (int ix = 0; ix < n; ix++)
                values[iy, ix] = p[iy * n + ix];
        return values;
    }

    private static (double[] X, double[] Y) Columns(Tensor xy)
    {
        var v = xy.cpu().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
        var x = new double[v.Length / 2];
        var y = new double[v.Length / 2];
        for (int i = 0; i < x.Length; i++) { x[i] = v[2 * i]; y[i] = v[2 * i + 1]; }
        return (x, y);
    }

    private static string F(double? v) => v is null ? "n/a" : v.Value.ToString("G4", CultureInfo.InvariantCulture);
}
