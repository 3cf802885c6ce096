using System.Numerics;
using ScottPlot;

namespace GenSharp.Output;

/// <summary>
/// Arrows (a quiver plot) for vectors at points, e.g. a score field on a grid; arrows can be normalised
/// to equal length (direction only, with colour showing magnitude).
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
        var plot = new Plot();
        double spacing = GridSpacing();
        var vectors = new List<RootedCoordinateVector>(_x.Length);
        for (int i = 0; i < _x.Length; i++)
        {
            double m = Math.Sqrt(_u[i] * _u[i] + _v[i] * _v[i]);
            double scale = Normalize ? (m > 0 ? 0.8 * spacing / m : 0) : 1;
            vectors.Add(new RootedCoordinateVector(new Coordinates(_x[i], _y[i]), new Vector2((float)(_u[i] * scale), (float)(_v[i] * scale))));
        }
        var field = plot.Add.VectorField(vectors);
        field.Colormap = new ScottPlot.Colormaps.Turbo();
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
