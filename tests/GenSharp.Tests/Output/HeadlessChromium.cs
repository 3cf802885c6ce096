using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace GenSharp.Tests.Output;

/// <summary>
/// Opens an HTML file in the system's headless Chromium (Debian's <c>chromium</c>, installed by build/setup-debian.sh) and reports what a
/// reader would see: how many images there are, which did not load (<c>naturalWidth == 0</c> after the load event), and every console
/// error or uncaught error. A copy of the page gets a probe script as the first element of its head (so it sees errors of every later
/// script); Chromium runs it with <c>--dump-dom</c> and the probe's result is read back from the DOM. <see cref="Screenshot"/> renders
/// the page itself, unmodified.
/// </summary>
internal static partial class HeadlessChromium
{
    public sealed record PageCheck(int Images, string[] Broken, string[] Errors);

    private const string Probe = """
        <script>(function () {
          var errors = [];
          var original = console.error;
          console.error = function () { errors.push(Array.prototype.join.call(arguments, ' ')); original.apply(console, arguments); };
          window.addEventListener('error', function (e) {
            errors.push(e.message ? 'uncaught: ' + e.message : 'failed to load: ' + (e.target && (e.target.src || e.target.href)));
          }, true);
          window.addEventListener('load', function () {
            var images = Array.prototype.slice.call(document.images);
            var broken = images.filter(function (i) { return !(i.complete && i.naturalWidth > 0); })
                               .map(function (i) { return (i.alt || '(no alt)') + ' ' + i.src.slice(0, 40); });
            var out = document.createElement('pre');
            out.id = 'gensharp-probe';
            out.textContent = JSON.stringify({ Images: images.length, Broken: broken, Errors: errors });
            document.body.appendChild(out);
          });
        })();</script>
        """;

    /// <summary>The browser's path, or null when it is not installed.</summary>
    public static string? Executable =>
        new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" }.FirstOrDefault(File.Exists);

    public static PageCheck Check(string html)
    {
        string probed = Path.Combine(Path.GetDirectoryName(html)!, ".probe-" + Path.GetFileName(html));
        string page = File.ReadAllText(html);
        int head = page.IndexOf("<head>", StringComparison.OrdinalIgnoreCase);
        Assert.True(head >= 0, $"{html} has no <head>");
        File.WriteAllText(probed, page.Insert(head + "<head>".Length, Probe));
        try
        {
            string dom = Run("--dump-dom", "--virtual-time-budget=10000", new Uri(probed).AbsoluteUri);
            var match = ProbeResult().Match(dom);
            Assert.True(match.Success, "the probe wrote no result (did the page's load event fire?)");
            return JsonSerializer.Deserialize<PageCheck>(WebUtility.HtmlDecode(match.Groups[1].Value))!;
        }
        finally
        {
            File.Delete(probed);
        }
    }

    /// <summary>Renders <paramref name="html"/> into a PNG <paramref name="width"/> by <paramref name="height"/> pixels.</summary>
    public static void Screenshot(string html, string png, int width = 1200, int height = 3000)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(png)!);
        Run($"--screenshot={png}", $"--window-size={width},{height}", "--hide-scrollbars", new Uri(html).AbsoluteUri);
        Assert.True(File.Exists(png), $"chromium wrote no screenshot {png}");
    }

    private static string Run(params string[] args)
    {
        var info = new ProcessStartInfo(Executable ?? throw new InvalidOperationException("no chromium"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // --no-sandbox: tests run as root in CI; a throw-away profile so that parallel runs never share one
        string profile = TestTemp.Directory("gensharp-chromium").FullName;
        foreach (string a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", $"--user-data-dir={profile}" }.Concat(args))
            info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("chromium did not finish within 3 minutes");
        }
        Directory.Delete(profile, recursive: true);
        Assert.True(process.ExitCode == 0, $"chromium exited {process.ExitCode}: {stderr.Result}");
        return stdout.Result;
    }

    [GeneratedRegex("<pre id=\"gensharp-probe\">(.*?)</pre>", RegexOptions.Singleline)]
    private static partial Regex ProbeResult();
}
