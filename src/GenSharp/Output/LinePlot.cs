using ScottPlot;

namespace GenSharp.Output;

/// <summary>
/// Named line series (e.g. loss per step), optional log-y and smoothing. Smoothing is causal: each
/// series' raw points are drawn faintly and a trailing exponential moving average over them (each value
/// uses only the points up to it, like TensorBoard's) is drawn on top, labelled as such; a centred
/// window would mix later, lower losses into early points and flatter short runs.
/// </summary>
public sealed class LinePlot
{
    private readonly List<(double[] X, double[] Y, string Label)> _series = [];

    public string? Title { get; init; }
    public string? XLabel { get; init; }
    public string? YLabel { get; init; }
    public bool LogY { get; init; }

    /// <summary>
    /// Span N of the trailing exponential moving average drawn over each series (weight 2 / (N + 1) on the
    /// newest point, bias-corrected at the start; on a log-y plot it averages the logarithms). 0 or 1 = none.
    /// </summary>
    public int Smooth { get; init; }

    public LinePlot Add(double[] xs, double[] ys, string label)
    {
        if (xs.Length != ys.Length) throw new ArgumentException("xs and ys must have the same length");
        _series.Add((xs, ys, label));
        return this;
    }

    public Plot Build()
    {
        var plot = new Plot();
        for (int i = 0; i < _series.Count; i++)
        {
            var (x, y, label) = _series[i];
            var color = PlotStyle.Palette[i % PlotStyle.Palette.Length];
            var ys = LogY ? y.Select(v => Math.Log10(Math.Max(v, 1e-300))).ToArray() : y;
            bool smoothed = Smooth > 1 && ys.Length > 0;
            var raw = plot.Add.Scatter(x, ys, smoothed ? color.WithAlpha(0.35) : color);
            raw.MarkerSize = smoothed ? 3 : 0;
            raw.LineWidth = smoothed ? 0.75f : 1.5f;
            raw.LegendText = smoothed ? $"{label}, raw" : label;
            if (smoothed)
            {
                var smooth = plot.Add.Scatter(x, TrailingAverage(ys, Smooth), color);
                smooth.MarkerSize = 0;
                smooth.LineWidth = 2;
                smooth.LegendText = SmoothedLabel(label, Smooth);
            }
        }
        if (LogY)
        {
            var ticks = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = v => $"{Math.Pow(10, v):G3}" };
            plot.Axes.Left.TickGenerator = ticks;
        }
        if (_series.Count > 0) plot.ShowLegend();
        PlotStyle.Labels(plot, Title, XLabel, LogY && YLabel is not null ? YLabel + " (log scale)" : YLabel);
        return plot;
    }

    public void Save(string path, int width = 800, int height = 450) => PlotStyle.SavePng(Build(), path, width, height);

    /// <summary>Legend text of a smoothed series.</summary>
    public static string SmoothedLabel(string label, int span) => $"{label}, trailing EMA (span {span})";

    /// <summary>
    /// Trailing exponential moving average with span N: m_i = (1 - a) m_(i-1) + a y_i with a = 2 / (N + 1),
    /// divided by 1 - (1 - a)^(i+1) so that the first values are not pulled towards 0. Value i depends on
    /// y_0 .. y_i only.
    /// </summary>
    public static double[] TrailingAverage(double[] y, int span)
    {
        if (span < 1) throw new ArgumentOutOfRangeException(nameof(span), span, "must be at least 1");
        double a = 2.0 / (span + 1), m = 0, weight = 0;
        var result = new double[y.Length];
        for (int i = 0; i < y.Length; i++)
        {
            m = (1 - a) * m + a * y[i];
            weight = (1 - a) * weight + a;
            result[i] = m / weight;
        }
        return result;
    }
}
