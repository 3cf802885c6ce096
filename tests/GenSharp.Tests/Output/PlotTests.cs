using GenSharp.Output;
using SkiaSharp;

namespace GenSharp.Tests.Output;

public sealed class PlotTests
{
    private static string Temp(string name) => Path.Combine(TestTemp.Directory("gensharp-plot").FullName, name);

    private static SKBitmap AssertPng(string path, int width, int height)
    {
        var bmp = SKBitmap.Decode(path);
        Assert.NotNull(bmp);
        Assert.Equal((width, height), (bmp.Width, bmp.Height));
        Assert.True(bmp.Pixels.Distinct().Count() > 10, "the image is (almost) blank");
        return bmp;
    }

    [Fact]
    public void LineScatterAndVectorFieldPlotsRender()
    {
        var x = Enumerable.Range(0, 100).Select(i => (double)i).ToArray();
        string line = Temp("line.png");
        new LinePlot { Title = "loss", LogY = true, Smooth = 5 }
            .Add(x, x.Select(v => Math.Exp(-v / 30) + 0.1).ToArray(), "loss").Save(line, 400, 300);
        AssertPng(line, 400, 300).Dispose();

        string scatter = Temp("scatter.png");
        new ScatterPlot { Title = "points", Limits = (-5, 5, -5, 5) }
            .Add(x.Select(v => v / 20 - 2).ToArray(), x.Select(v => Math.Sin(v)).ToArray(), "a").Save(scatter, 300, 300);
        AssertPng(scatter, 300, 300).Dispose();

        var gx = new List<double>(); var gy = new List<double>(); var u = new List<double>(); var v = new List<double>();
        for (int i = -5; i <= 5; i++) for (int j = -5; j <= 5; j++) { gx.Add(i); gy.Add(j); u.Add(-i); v.Add(-j); }
        string field = Temp("field.png");
        new VectorFieldPlot([.. gx], [.. gy], [.. u], [.. v]) { Title = "score of N(0, I)" }.Save(field, 400, 400);
        AssertPng(field, 400, 400).Dispose();
    }

    [Fact]
    public void HeatmapColoursHighAndLowRegionsDifferently()
    {
        var values = new double[50, 50];
        for (int iy = 0; iy < 50; iy++) for (int ix = 0; ix < 50; ix++) values[iy, ix] = ix < 25 ? 0 : 1;
        string path = Temp("heat.png");
        new HeatmapPlot(values, (-1, 1, -1, 1)) { Title = "half" }.Save(path, 500, 400);
        using var bmp = AssertPng(path, 500, 400);
        // sample the plot area's left and right quarters on the middle row
        var left = bmp.GetPixel(150, 200);
        var right = bmp.GetPixel(330, 200);
        Assert.NotEqual(left, right);
    }

    [Fact]
    public void ReportEmbedsImagesAndEscapesText()
    {
        string png = Temp("p.png");
        new ScatterPlot().Add([0, 1], [1, 0], "x").Save(png, 100, 100);
        var report = new HtmlReport("run <1>");
        report.AddParagraph("<script>alert(1)</script>").AddImage(png, "fig").AddKeyValueTable([("a & b", "1")]);
        string path = Temp("report.html");
        report.Save(path);
        string html = File.ReadAllText(path);
        Assert.DoesNotContain("<script>", html);
        Assert.Contains("&lt;script&gt;", html);
        Assert.Contains("a &amp; b", html);
        int start = html.IndexOf("data:image/png;base64,", StringComparison.Ordinal) + "data:image/png;base64,".Length;
        string b64 = html[start..html.IndexOf('"', start)];
        Assert.Equal(File.ReadAllBytes(png), Convert.FromBase64String(b64));
    }

    [Fact]
    public void QuietProgressWritesNothing()
    {
        var summary = new StringWriter();
        using (var p = ProgressReporter.Start("x", 10, quiet: true, summary))
        {
            Assert.True(p.Quiet); // no render task: nothing is drawn on stdout
            for (int i = 0; i <= 10; i++) p.Report(i, new Dictionary<string, double> { ["loss"] = 1.0 / (i + 1) });
        }
        Assert.Equal("", summary.ToString());

        using (var p = ProgressReporter.Silent("y", 4, summary)) p.Report(4);
        Assert.StartsWith("y: 4/4 in", summary.ToString());
    }

    [Fact]
    public void TheLossCurvesSmoothingIsATrailingAverageLabelledAsSuchOverFaintRawPoints()
    {
        // causal: a value depends only on the points up to it, the first equals the first raw point
        double[] y = [0.9, 0.7, 0.54, 0.3, 0.1, 0.05, 0.05, 0.05];
        var m = LinePlot.TrailingAverage(y, 9);
        Assert.Equal(y[0], m[0], 12);
        var changedFuture = (double[])y.Clone();
        changedFuture[5] = 100;
        var m2 = LinePlot.TrailingAverage(changedFuture, 9);
        for (int i = 0; i < 5; i++) Assert.Equal(m[i], m2[i], 12);
        Assert.All(LinePlot.TrailingAverage([2, 2, 2, 2], 5), v => Assert.Equal(2, v, 12));
        // on a falling loss it lags behind (is above) the raw points; a centred window would sit below them
        for (int i = 1; i < 5; i++) Assert.True(m[i] > y[i], $"point {i}: trailing {m[i]} vs raw {y[i]}");
        // closed form of the bias-corrected EMA for two points: (a (1 - a) y0 + a y1) / (1 - (1 - a)^2)
        double a = 2.0 / 10;
        Assert.Equal((a * (1 - a) * y[0] + a * y[1]) / (1 - (1 - a) * (1 - a)), m[1], 12);

        var plot = new LinePlot { LogY = true, Smooth = 9 }.Add([1, 2, 3], [0.9, 0.5, 0.2], "L_simple").Build();
        var series = plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().ToList();
        Assert.Equal(["L_simple, raw", "L_simple, trailing EMA (span 9)"], series.Select(p => p.LegendText));
        Assert.True(series[0].MarkerSize > 0 && series[0].Color.Alpha < series[1].Color.Alpha, "raw points are drawn faintly, with markers");
        var unsmoothed = new LinePlot().Add([1, 2], [1, 2], "x").Build().GetPlottables().OfType<ScottPlot.Plottables.Scatter>().Single();
        Assert.Equal("x", unsmoothed.LegendText);
    }

    [Fact]
    public void AFontIsInstalledAndTitlesAreDrawnOrAWarningSaysHowToInstallOne()
    {
        Assert.True(PlotFonts.Available, PlotFonts.Problem(0, 0));
        Assert.Null(PlotFonts.Problem(3, 100));
        Assert.Contains("apt-get install -y fonts-dejavu-core", PlotFonts.Problem(0, 0));
        Assert.NotNull(PlotFonts.Problem(5, 0)); // a default typeface without glyphs draws nothing either

        // the title row holds dark pixels only when a title is drawn
        string with = Temp("with.png"), without = Temp("without.png");
        new LinePlot { Title = "TITLE TEXT" }.Add([0, 1], [0, 1], "a").Save(with, 400, 300);
        new LinePlot().Add([0, 1], [0, 1], "a").Save(without, 400, 300);
        static int DarkInTopRows(string path)
        {
            using var bmp = SKBitmap.Decode(path);
            int n = 0;
            for (int yy = 0; yy < 25; yy++)
                for (int xx = 0; xx < bmp.Width; xx++)
                    if (bmp.GetPixel(xx, yy).Red < 128) n++;
            return n;
        }
        Assert.True(DarkInTopRows(with) > DarkInTopRows(without) + 20, "the title was not drawn: no usable font?");
    }
}
