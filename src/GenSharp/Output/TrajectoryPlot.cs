using ScottPlot;

namespace GenSharp.Output;

/// <summary>
/// Paths of points (e.g. Langevin chains) drawn as lines over a heat-map of a density; each path starts
/// with a large marker. <c>values[iy, ix]</c> as in <see cref="HeatmapPlot"/>.
/// </summary>
public sealed class TrajectoryPlot
{
    private readonly double[,] _values;
    private readonly (double XMin, double XMax, double YMin, double YMax) _extent;
    private readonly List<(double[] X, double[] Y, string Label)> _paths = [];

    public TrajectoryPlot(double[,] values, (double XMin, double XMax, double YMin, double YMax) extent)
    {
        if (values.GetLength(0) < 2 || values.GetLength(1) < 2) throw new ArgumentException("a heat-map needs at least a 2x2 grid");
        _values = values;
        _extent = extent;
    }

    public string? Title { get; init; }
    public string? ColorBarLabel { get; init; }

    /// <summary>Adds a path (at least one point).</summary>
    public TrajectoryPlot Add(double[] xs, double[] ys, string label)
    {
        if (xs.Length != ys.Length || xs.Length == 0) throw new ArgumentException("a path needs equal, non-zero numbers of x and y values");
        _paths.Add((xs, ys, label));
        return this;
    }

    public Plot Build()
    {
        var plot = new HeatmapPlot(_values, _extent) { Title = Title, ColorBarLabel = ColorBarLabel }.Build();
        for (int i = 0; i < _paths.Count; i++)
        {
            var (x, y, label) = _paths[i];
            var color = PlotStyle.Palette[(i + 1) % PlotStyle.Palette.Length];
            var line = plot.Add.Scatter(x, y, color);
            line.MarkerSize = 0;
            line.LineWidth = 1.5f;
            line.LegendText = label;
            var start = plot.Add.ScatterPoints(new[] { x[0] }, new[] { y[0] }, color);
            start.MarkerSize = 9;
        }
        if (_paths.Count > 0) plot.ShowLegend(Alignment.UpperLeft);
        plot.Axes.SetLimits(_extent.XMin, _extent.XMax, _extent.YMin, _extent.YMax);
        return plot;
    }

    public void Save(string path, int width = 700, int height = 600) => PlotStyle.SavePng(Build(), path, width, height);
}
