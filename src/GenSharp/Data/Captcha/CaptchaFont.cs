using SkiaSharp;

namespace GenSharp.Data.Captcha;

/// <summary>
/// The font CAPTCHAs are drawn with: DejaVu Sans Bold from Debian's fonts-dejavu-core (installed by build/setup-debian.sh),
/// found by path so that the rendering does not depend on which fonts a machine happens to have.
/// </summary>
internal static class CaptchaFont
{
    /// <summary>Where Debian installs the font.</summary>
    public const string DefaultPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";

    private static readonly Lazy<SKTypeface> Shared = new(() => Load(DefaultPath));

    /// <summary>The typeface (loaded once per process).</summary>
    public static SKTypeface Typeface => Shared.Value;

    /// <summary>Loads the font at <paramref name="path"/>; a one-line error names the package when it is missing.</summary>
    public static SKTypeface Load(string path)
    {
        if (!File.Exists(path))
            throw new DataFileException($"CAPTCHA font {path} not found; install Debian's fonts-dejavu-core (build/setup-debian.sh does)");
        return SKTypeface.FromFile(path)
            ?? throw new DataFileException($"CAPTCHA font {path}: not a readable font file; reinstall fonts-dejavu-core");
    }
}
