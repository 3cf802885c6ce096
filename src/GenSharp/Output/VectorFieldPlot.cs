using ScottPlot;

namespace GenSharp.Output;

/// <summary>
/// Arrows (a quiver plot) for vectors at points, e.g. a score field on a grid; arrows can be normalised
/// to equal length (direction only, with colour showing magnitude, dark blue = small, red = the largest).
/// </summary>
public sealed class VectorFieldPlot
{
    private readonly double[] _x, _y, _u, _v;

    public VectorFieldPlot(double[] x, double[] y, double[] u, double[] v)
    {
        if (x.Length != y.Length || x.Length != u.Length || x.Length != v.Length) throw new ArgumentException("x, y, u, v must have equal length");
        (_x, _y, _u, _v) = (x, y, u, v);
    }

    public string? Title { get; init; }
    public string? XLabel { get; init; } = "x1";
    public string? YLabel { get; init; } = "x2";

    /// <summary>Draw every arrow with the same length (magnitude shown by colour).</summary>
    public bool Normalize { get; init; } = true;

    public Plot Build()
    {
        // Arrows are drawn as line segments in data coordinates (ScottPlot's VectorField plottable draws
        // its vectors in screen space, which flipped and rescaled the directions here).
        var plot = new Plot();
        double spacing = GridSpacing();
        var magnitudes = _u.Zip(_v, (a, b) => Math.Sqrt(a * a + b * b)).ToArray();
        double max = magnitudes.Length > 0 ? magnitudes.Max() : 0;
        var colormap = new ScottPlot.Colormaps.Turbo();
        for (int i = 0; i < _x.Length; i++)
        {
            double m = magnitudes[i];
            if (!(m > 0) || !double.IsFinite(m)) continue;
            double scale = Normalize ? 0.8 * spacing / m : 1;
            double dx = _u[i] * scale, dy = _v[i] * scale;
            double x0 = _x[i] - dx / 2, y0 = _y[i] - dy / 2, x1 = _x[i] + dx / 2, y1 = _y[i] + dy / 2; // centred on the point
            var color = colormap.GetColor(max > 0 ? m / max : 0);
            double head = 0.3 * Math.Sqrt(dx * dx + dy * dy), angle = Math.Atan2(dy, dx);
            foreach (var (ax, ay, bx, by) in new[]
            {
                (x0, y0, x1, y1),
                (x1, y1, x1 - head * Math.Cos(angle - 0.45), y1 - head * Math.Sin(angle - 0.45)),
                (x1, y1, x1 - head * Math.Cos(angle + 0.45), y1 - head * Math.Sin(angle + 0.45)),
            })
            {
                var line = plot.Add.Line(ax, ay, bx, by);
                line.LineColor = color;
                line.LineWidth = 1.5f;
                line.MarkerSize = 0;
            }
        }
        PlotStyle.Labels(plot, Title, XLabel, YLabel);
        return plot;
    }

    public void Save(string path, int width = 650, int height = 600) => PlotStyle.SavePng(Build(), path, width, height);

    private double GridSpacing()
    {
        var xs = _x.Distinct().Order().ToArray();
        if (xs.Length < 2) return 1;
        double min = double.MaxValue;
        for (int i = 1; i < xs.Length; i++) min = Math.Min(min, xs[i] - xs[i - 1]);
        return min;
    }
}
