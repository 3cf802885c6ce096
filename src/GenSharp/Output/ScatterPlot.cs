using ScottPlot;

namespace GenSharp.Output;

/// <summary>Several labelled 2D point sets, e.g. true vs generated samples.</summary>
public sealed class ScatterPlot
{
    private readonly List<(double[] X, double[] Y, string Label, float Size)> _sets = [];

    public string? Title { get; init; }
    public string? XLabel { get; init; } = "x1";
    public string? YLabel { get; init; } = "x2";

    /// <summary>Fixed axis limits (xmin, xmax, ymin, ymax); null fits the data.</summary>
    public (double XMin, double XMax, double YMin, double YMax)? Limits { get; init; }

    /// <summary>Adds a point set.</summary>
    public ScatterPlot Add(double[] xs, double[] ys, string label, float markerSize = 3)
    {
        if (xs.Length != ys.Length) throw new ArgumentException("xs and ys must have the same length");
        _sets.Add((xs, ys, label, markerSize));
        return this;
    }

    /// <summary>Adds points given as (n, 2) interleaved values.</summary>
    public ScatterPlot AddInterleaved(float[] xy, string label, float markerSize = 3) =>
        Add(xy.Where((_, i) => i % 2 == 0).Select(v => (double)v).ToArray(),
            xy.Where((_, i) => i % 2 == 1).Select(v => (double)v).ToArray(), label, markerSize);

    /// <summary>Builds the ScottPlot plot (for composition).</summary>
    public Plot Build()
    {
        var plot = new Plot();
        for (int i = 0; i < _sets.Count; i++)
        {
            var (x, y, label, size) = _sets[i];
            var sp = plot.Add.ScatterPoints(x, y, PlotStyle.Palette[i % PlotStyle.Palette.Length].WithAlpha(0.6));
            sp.MarkerSize = size;
            sp.LegendText = label;
        }
        if (_sets.Count > 1 || _sets.Any(s => s.Label.Length > 0)) plot.ShowLegend();
        if (Limits is { } l) plot.Axes.SetLimits(l.XMin, l.XMax, l.YMin, l.YMax);
        PlotStyle.Labels(plot, Title, XLabel, YLabel);
        return plot;
    }

    public void Save(string path, int width = 600, int height = 600) => PlotStyle.SavePng(Build(), path, width, height);
}
