using ScottPlot;

namespace GenSharp.Output;

/// <summary>Named line series (e.g. loss per step), optional log-y and moving-average smoothing.</summary>
public sealed class LinePlot
{
    private readonly List<(double[] X, double[] Y, string Label)> _series = [];

    public string? Title { get; init; }
    public string? XLabel { get; init; }
    public string? YLabel { get; init; }
    public bool LogY { get; init; }

    /// <summary>Window of a centred moving average drawn over each series (0 = none).</summary>
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
            var raw = plot.Add.Scatter(x, ys, Smooth > 1 ? color.WithAlpha(0.3) : color);
            raw.MarkerSize = 0;
            raw.LegendText = Smooth > 1 ? "" : label;
            if (Smooth > 1 && ys.Length > 0)
            {
                var smooth = plot.Add.Scatter(x, MovingAverage(ys, Smooth), color);
                smooth.MarkerSize = 0;
                smooth.LineWidth = 2;
                smooth.LegendText = label;
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

    /// <summary>Centred moving average with a shrinking window at the ends.</summary>
    public static double[] MovingAverage(double[] y, int window)
    {
        var result = new double[y.Length];
        int half = window / 2;
        for (int i = 0; i < y.Length; i++)
        {
            int a = Math.Max(0, i - half), b = Math.Min(y.Length - 1, i + half);
            double s = 0;
            for (int j = a; j <= b; j++) s += y[j];
            result[i] = s / (b - a + 1);
        }
        return result;
    }
}
