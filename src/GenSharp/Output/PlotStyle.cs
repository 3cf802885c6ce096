using ScottPlot;

namespace GenSharp.Output;

/// <summary>Shared look of GenSharp's plots and the atomic PNG save they all use.</summary>
internal static class PlotStyle
{
    /// <summary>Distinct colours for series, in order.</summary>
    public static readonly Color[] Palette =
    [
        Color.FromHex("#1f77b4"), Color.FromHex("#d62728"), Color.FromHex("#2ca02c"), Color.FromHex("#ff7f0e"),
        Color.FromHex("#9467bd"), Color.FromHex("#8c564b"), Color.FromHex("#e377c2"), Color.FromHex("#7f7f7f"),
    ];

    public static void Labels(Plot plot, string? title, string? xLabel, string? yLabel)
    {
        if (title is not null) plot.Title(title);
        if (xLabel is not null) plot.XLabel(xLabel);
        if (yLabel is not null) plot.YLabel(yLabel);
    }

    /// <summary>Renders to PNG and writes the file atomically (creating its folder).</summary>
    public static void SavePng(Plot plot, string path, int width, int height)
    {
        if (width < 16 || height < 16) throw new ConfigException($"plot size {width}x{height}: must be at least 16x16");
        PlotFonts.WarnIfMissing();
        byte[] png = plot.GetImageBytes(width, height, ImageFormat.Png);
        Training.AtomicFile.WriteAllBytes(path, png);
    }
}
