using SkiaSharp;
using static TorchSharp.torch;

namespace GenSharp.Output;

/// <summary>
/// Rows of images with a caption under each (e.g. "t=0", "t=20") and an optional label per row
/// ("closed form", "step by step"): the forward-noising and denoising-sequence figures.
/// </summary>
public static class ImageStrip
{
    /// <param name="rows">Each row: a label (may be empty) and (N, C, H, W) images.</param>
    /// <param name="captions">One caption per column.</param>
    public static void Save(string path, IReadOnlyList<(string Label, Tensor Images)> rows, IReadOnlyList<string> captions,
        int scale = 3, bool zeroToOne = false)
    {
        if (rows.Count == 0) throw new ArgumentException("at least one row is needed");
        const int pad = 6, captionHeight = 18;
        PlotFonts.WarnIfMissing();
        using var font = new SKFont(SKTypeface.Default, 13);
        using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        var rendered = rows.Select(r => (r.Label, Bitmap: ImageGrid.Render(r.Images, (int)r.Images.shape[0], pad, scale, zeroToOne))).ToList();
        int labelWidth = rows.Any(r => r.Label.Length > 0) ? (int)rows.Max(r => font.MeasureText(r.Label)) + 2 * pad : 0;
        int width = labelWidth + rendered.Max(r => r.Bitmap.Width);
        int height = rendered.Sum(r => r.Bitmap.Height) + captionHeight + pad;
        using var surface = SKSurface.Create(new SKImageInfo(width, height));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        int y = 0;
        foreach (var (label, bitmap) in rendered)
        {
            canvas.DrawBitmap(bitmap, labelWidth, y);
            if (label.Length > 0) canvas.DrawText(label, pad, y + bitmap.Height / 2f + 5, font, paint);
            y += bitmap.Height;
            bitmap.Dispose();
        }
        int n = (int)rows[0].Images.shape[0], cellW = (int)rows[0].Images.shape[3] * scale;
        for (int i = 0; i < Math.Min(n, captions.Count); i++)
        {
            float cx = labelWidth + pad + i * (cellW + pad) + cellW / 2f;
            canvas.DrawText(captions[i], cx - font.MeasureText(captions[i]) / 2, y + 14, font, paint);
        }
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        Training.AtomicFile.WriteAllBytes(path, data.ToArray());
    }
}
