using ScottPlot;

namespace GenSharp.Output;

/// <summary>
/// Values on a regular 2D grid (e.g. a density on [-15, 15]^2) with a colour bar, optionally with
/// points drawn over it. <c>values[iy, ix]</c> is the value at (x_ix, y_iy), iy = 0 the lowest y.
/// </summary>
public sealed class HeatmapPlot
{
    private readonly double[,] _values;
    private readonly (double XMin, double XMax, double YMin, double YMax) _extent;
    private readonly List<(double[] X, double[] Y, string Label)> _points = [];

    public HeatmapPlot(double[,] values, (double XMin, double XMax, double YMin, double YMax) extent)
    {
        if (values.GetLength(0) < 2 || values.GetLength(1) < 2) throw new ArgumentException("a heat-map needs at least a 2x2 grid");
        _values = values;
        _extent = extent;
    }

    public string? Title { get; init; }
    public string? XLabel { get; init; } = "x1";
    public string? YLabel { get; init; } = "x2";
    public string? ColorBarLabel { get; init; }

    /// <summary>Overlays a point set.</summary>
    public HeatmapPlot AddPoints(double[] xs, double[] ys, string label)
    {
        _points.Add((xs, ys, label));
        return this;
    }

    public Plot Build()
    {
        var plot = new Plot();
        // ScottPlot draws row 0 at the top; our row 0 is the lowest y.
        int ny = _values.GetLength(0), nx = _values.GetLength(1);
        var flipped = new double[ny, nx];
        for (int iy = 0; iy < ny; iy++)
            for (int ix = 0; ix < nx; ix++)
                flipped[ny - 1 - iy, ix] = _values[iy, ix];
        var hm = plot.Add.Heatmap(flipped);
        hm.Extent = new CoordinateRect(_extent.XMin, _extent.XMax, _extent.YMin, _extent.YMax);
        hm.Colormap = new ScottPlot.Colormaps.Viridis();
        var bar = plot.Add.ColorBar(hm);
        if (ColorBarLabel is not null) bar.Label = ColorBarLabel;
        for (int i = 0; i < _points.Count; i++)
        {
            var (x, y, label) = _points[i];
            var sp = plot.Add.ScatterPoints(x, y,
                i == 0 ? Colors.White.WithAlpha(0.7) : PlotStyle.Palette[(i + 1) % PlotStyle.Palette.Length].WithAlpha(0.7));
            sp.MarkerSize = 2;
            sp.LegendText = label;
        }
        if (_points.Count > 0) plot.ShowLegend();
        plot.Axes.SetLimits(_extent.XMin, _extent.XMax, _extent.YMin, _extent.YMax);
        PlotStyle.Labels(plot, Title, XLabel, YLabel);
        return plot;
    }

    public void Save(string path, int width = 700, int height = 600) => PlotStyle.SavePng(Build(), path, width, height);
}
