using GenSharp.Data;
using GenSharp.Tests.Cli;

namespace GenSharp.Tests.Output;

/// <summary>
/// report.html as a reader sees it, in headless Chromium: every &lt;img&gt; decodes (naturalWidth &gt; 0) and no script logs an
/// error. A screenshot of each report is kept under the test output folder (<c>artifacts/</c>) for a human to look at.
/// </summary>
[Trait("Category", "Slow")]
public sealed class ReportInBrowserTests
{
    private static readonly string Artifacts = Path.Combine(AppContext.BaseDirectory, "artifacts");

    [SkippableFact]
    public void DemoLikeToyReportShowsEveryImageWithoutErrors()
    {
        Skip.If(HeadlessChromium.Executable is null, "chromium is not installed (build/setup-debian.sh installs Debian's chromium)");
        string runs = TestTemp.Directory("gensharp-browser-toy").FullName;
        var train = CliRunner.Run("train", "ddpm", "--data", "toy:mog2", "--steps", "100", "--timesteps", "50", "--batch", "256",
            "--sample-every", "50", "--checkpoint-every", "100", "--final-eval-n", "1000", "--runs", runs, "--name", "demo", "--threads", "2",
            "--quiet");
        Assert.True(train.ExitCode == 0, train.Err + train.Out);
        CheckInBrowser(Path.Combine(runs, "demo", "report.html"), "report-toy.png", minImages: 4);
    }

    [SkippableFact]
    public void ImageRunReportShowsEveryImageWithoutErrors()
    {
        Skip.If(HeadlessChromium.Executable is null, "chromium is not installed (build/setup-debian.sh installs Debian's chromium)");
        Skip.IfNot(FashionMnist.IsAvailable(), "Fashion-MNIST is not installed (build/setup-debian.sh installs dataset-fashion-mnist)");
        string runs = TestTemp.Directory("gensharp-browser-img").FullName;
        var train = CliRunner.Run("train", "ddpm", "--data", "fashion-mnist", "--steps", "20", "--batch", "8", "--ch", "8", "--mults", "1,2",
            "--attn", "none", "--timesteps", "50", "--sample-every", "10", "--eval-every", "10", "--eval-n", "20", "--final-eval-n", "20",
            "--sampler-steps", "5", "--checkpoint-every", "20", "--log-every", "5", "--runs", runs, "--name", "img", "--threads", "2", "--quiet");
        Assert.True(train.ExitCode == 0, train.Err + train.Out);
        CheckInBrowser(Path.Combine(runs, "img", "report.html"), "report-image.png", minImages: 6);
    }

    private static void CheckInBrowser(string report, string screenshot, int minImages)
    {
        var page = HeadlessChromium.Check(report);
        Assert.True(page.Images >= minImages, $"{page.Images} images in {report}, expected at least {minImages}");
        Assert.True(page.Broken.Length == 0, "images that did not load: " + string.Join("; ", page.Broken));
        Assert.True(page.Errors.Length == 0, "console errors: " + string.Join("; ", page.Errors));
        string png = Path.Combine(Artifacts, screenshot);
        HeadlessChromium.Screenshot(report, png);
        Assert.True(new FileInfo(png).Length > 10_000, $"{png} is nearly empty");
    }
}
