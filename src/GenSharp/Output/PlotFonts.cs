using SkiaSharp;

namespace GenSharp.Output;

/// <summary>
/// Whether plots can draw text. SkiaSharp's Linux native build (NativeAssets.Linux.NoDependencies, no
/// fontconfig) finds fonts by scanning the system font folders (/usr/share/fonts); ScottPlot draws every
/// title, axis label and tick label with <c>SKTypeface.Default</c>'s family (and <see cref="ImageStrip"/>
/// uses that typeface directly). On a minimal Debian without a font package there is none, and every figure
/// comes out without any text and without any error. This check warns once per process instead.
/// <c>build/setup-debian.sh</c> installs <c>fonts-dejavu-core</c>.
/// </summary>
internal static class PlotFonts
{
    private static readonly Lazy<string?> _problem = new(() =>
        Problem(SKFontManager.Default.FontFamilyCount, SKTypeface.Default.GlyphCount));
    private static int _warned;

    /// <summary>True if a font with glyphs was found.</summary>
    public static bool Available => _problem.Value is null;

    /// <summary>The warning for a font manager with <paramref name="families"/> families and a default typeface with
    /// <paramref name="glyphs"/> glyphs, or null if text can be drawn.</summary>
    public static string? Problem(int families, int glyphs) => families > 0 && glyphs > 0 ? null :
        "warning: no fonts found (SkiaSharp sees no font under /usr/share/fonts), so plots are written without any text; " +
        "install one: sudo apt-get install -y fonts-dejavu-core";

    /// <summary>Writes the warning (once per process) if no font is available; the figures are still written.</summary>
    public static void WarnIfMissing(TextWriter? log = null)
    {
        if (_problem.Value is { } problem && Interlocked.Exchange(ref _warned, 1) == 0)
            (log ?? Console.Error).WriteLine(problem);
    }
}
