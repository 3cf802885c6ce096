using ScottPlot;

namespace GenSharp.Output;

/// <summary>Labelled bars (e.g. the predicted-class histogram of generated images), with an optional reference level per bar.</summary>
public sealed class BarPlot
{
    private readonly string[] _labels;
    private readonly double[] _values;

    public BarPlot(IReadOnlyList<string> labels, IReadOnlyList<double> values)
    {
        if (labels.Count != values.Count || labels.Count == 0) throw new ArgumentException("one label per value, at least one bar");
        _labels = [.. labels];
        _values = [.. values];
    }

    public string? Title { get; init; }
    public string? YLabel { get; init; }

    /// <summary>A horizontal line drawn across the bars (e.g. the uniform 1/K of a balanced data set).</summary>
    public double? Reference { get; init; }

    public Plot Build()
    {
        var plot = new Plot();
        var bars = plot.Add.Bars(_values);
        bars.Color = PlotStyle.Palette[0];
        double[] positions = Enumerable.Range(0, _labels.Length).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, _labels);
        plot.Axes.Bottom.TickLabelStyle.Rotation = -35;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        if (Reference is { } r)
        {
            var line = plot.Add.HorizontalLine(r);
            line.Color = PlotStyle.Palette[1];
            line.LinePattern = LinePattern.Dashed;
        }
        plot.Axes.SetLimitsY(0, Math.Max(_values.Max(), Reference ?? 0) * 1.15 + 1e-9);
        PlotStyle.Labels(plot, Title, null, YLabel);
        return plot;
    }

    public void Save(string path, int width = 700, int height = 420) => PlotStyle.SavePng(Build(), path, width, height);
}
