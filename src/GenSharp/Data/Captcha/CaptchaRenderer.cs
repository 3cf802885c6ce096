using SkiaSharp;

namespace GenSharp.Data.Captcha;

/// <summary>
/// Draws one CAPTCHA (docs/captcha.md#renderer), deterministically from a seed: a light background with Gaussian pixel
/// noise, each character in DejaVu Sans Bold with its own rotation, shear and offset, random dots, and one or two strike
/// lines across the text. The result is <see cref="CaptchaOptions.Height"/> x <see cref="CaptchaOptions.Width"/> grey
/// bytes, row-major, 0 = black.
/// </summary>
public static class CaptchaRenderer
{
    /// <summary>Largest rotation of a character, in degrees (either way).</summary>
    public const float MaxRotation = 20f;

    /// <summary>Largest horizontal shear of a character (tan of the slant angle, either way).</summary>
    public const float MaxShear = 0.3f;

    /// <summary>Largest offset of a character from its cell's centre, in pixels (each axis).</summary>
    public const float MaxOffset = 3f;

    /// <summary>Standard deviation of the background's Gaussian pixel noise, in grey levels (0-255).</summary>
    public const double NoiseSigma = 12;

    /// <summary>The pixels of <paramref name="text"/> drawn with the random choices of <paramref name="seed"/>.</summary>
    public static byte[] Render(string text, long seed)
    {
        const int w = CaptchaOptions.Width, h = CaptchaOptions.Height;
        var rng = new Random(Mix(seed));
        using var bitmap = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        {
            byte background = (byte)rng.Next(200, 256);
            canvas.Clear(new SKColor(background, background, background));
            DrawCharacters(canvas, text, rng);
            DrawLines(canvas, rng);
            DrawDots(canvas, rng);
        }
        var pixels = bitmap.GetPixelSpan();
        var grey = new byte[w * h];
        for (int p = 0; p < grey.Length; p++)
        {
            double v = pixels[4 * p] + NoiseSigma * Gaussian(rng);
            grey[p] = (byte)Math.Clamp(Math.Round(v), 0, 255);
        }
        return grey;
    }

    /// <summary>Character i is centred in cell i of equal cells between 6-pixel margins, then moved, rotated and sheared.</summary>
    private static void DrawCharacters(SKCanvas canvas, string text, Random rng)
    {
        float cell = (CaptchaOptions.Width - 12f) / text.Length;
        float size = Math.Min(24f, 1.45f * cell);
        using var font = new SKFont(CaptchaFont.Typeface, size) { Edging = SKFontEdging.Antialias, Subpixel = true };
        using var paint = new SKPaint { IsAntialias = true };
        for (int i = 0; i < text.Length; i++)
        {
            byte ink = (byte)rng.Next(0, 90);
            paint.Color = new SKColor(ink, ink, ink);
            float cx = 6 + (i + 0.5f) * cell + Uniform(rng, MaxOffset), cy = CaptchaOptions.Height / 2f + Uniform(rng, MaxOffset);
            string glyph = text[i].ToString();
            float advance = font.MeasureText(glyph);
            canvas.Save();
            canvas.Translate(cx, cy);
            canvas.RotateDegrees(Uniform(rng, MaxRotation));
            canvas.Skew(Uniform(rng, MaxShear), 0);
            // Cap height of DejaVu Sans is 0.73 em: a baseline at +0.36 em centres capitals and digits vertically.
            canvas.DrawText(glyph, -advance / 2, 0.36f * size, SKTextAlign.Left, font, paint);
            canvas.Restore();
        }
    }

    /// <summary>One or two strike lines from the left edge to the right edge through the text's band.</summary>
    private static void DrawLines(SKCanvas canvas, Random rng)
    {
        int lines = rng.Next(1, 3);
        using var paint = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Stroke };
        for (int l = 0; l < lines; l++)
        {
            byte ink = (byte)rng.Next(0, 110);
            paint.Color = new SKColor(ink, ink, ink);
            paint.StrokeWidth = 1f + (float)rng.NextDouble();
            float y0 = 8 + 16 * (float)rng.NextDouble(), y1 = 8 + 16 * (float)rng.NextDouble();
            canvas.DrawLine(rng.Next(0, 10), y0, CaptchaOptions.Width - rng.Next(0, 10), y1, paint);
        }
    }

    /// <summary>20 to 40 small dots anywhere.</summary>
    private static void DrawDots(SKCanvas canvas, Random rng)
    {
        int dots = rng.Next(20, 41);
        using var paint = new SKPaint { IsAntialias = true };
        for (int d = 0; d < dots; d++)
        {
            byte ink = (byte)rng.Next(0, 160);
            paint.Color = new SKColor(ink, ink, ink);
            canvas.DrawCircle((float)(rng.NextDouble() * CaptchaOptions.Width), (float)(rng.NextDouble() * CaptchaOptions.Height),
                0.5f + 0.7f * (float)rng.NextDouble(), paint);
        }
    }

    private static float Uniform(Random rng, float max) => (float)((2 * rng.NextDouble() - 1) * max);

    private static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>SplitMix64's finaliser of the seed, folded to the 31-bit seed <see cref="Random"/> takes.</summary>
    internal static int Mix(long seed)
    {
        ulong z = unchecked((ulong)seed + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (int)((z ^ (z >> 31)) & 0x7FFFFFFF);
    }
}
