using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Output;

/// <summary>
/// PNG grids of images from an (N, C, H, W) tensor with C = 1 (grey) or 3 (RGB). Values in [-1, 1]
/// (or [0, 1] with <c>zeroToOne</c>) are clamped and mapped to 0..255 by round((x + 1) / 2 * 255).
/// </summary>
public static class ImageGrid
{
    /// <summary>Writes the grid as a PNG file (atomically).</summary>
    public static void Save(Tensor images, string path, int? columns = null, int padding = 2, int scale = 1, bool zeroToOne = false) =>
        Training.AtomicFile.WriteAllBytes(path, EncodePng(images, columns, padding, scale, zeroToOne));

    /// <summary>The grid as PNG bytes.</summary>
    public static byte[] EncodePng(Tensor images, int? columns = null, int padding = 2, int scale = 1, bool zeroToOne = false)
    {
        using var bitmap = Render(images, columns, padding, scale, zeroToOne);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>Pixels 0..255 as (N, H, W, C) bytes.</summary>
    internal static byte[] ToBytes(Tensor images, bool zeroToOne, out int n, out int c, out int h, out int w)
    {
        if (images.dim() != 4) throw new ArgumentException($"expected (N, C, H, W) images, got shape [{string.Join(", ", images.shape)}]");
        (n, c, h, w) = ((int)images.shape[0], (int)images.shape[1], (int)images.shape[2], (int)images.shape[3]);
        if (c != 1 && c != 3) throw new ArgumentException($"images must have 1 or 3 channels, got {c}");
        using var scope = NewDisposeScope();
        var x = images.detach().cpu().to_type(ScalarType.Float32);
        x = zeroToOne ? x : (x + 1) / 2;
        var bytes = (x.clamp(0, 1) * 255).round().to_type(ScalarType.Byte).permute(0, 2, 3, 1).contiguous();
        return bytes.data<byte>().ToArray();
    }

    internal static SKBitmap Render(Tensor images, int? columns, int padding, int scale, bool zeroToOne)
    {
        if (scale < 1 || padding < 0) throw new ArgumentException("scale must be >= 1 and padding >= 0");
        byte[] px = ToBytes(images, zeroToOne, out int n, out int c, out int h, out int w);
        int cols = Math.Max(1, columns ?? (int)Math.Ceiling(Math.Sqrt(n)));
        int rows = Math.Max(1, (n + cols - 1) / cols);
        int cw = w * scale, ch = h * scale;
        var bitmap = new SKBitmap(new SKImageInfo(padding + cols * (cw + padding), padding + rows * (ch + padding),
            SKColorType.Rgba8888, SKAlphaType.Opaque));
        bitmap.Erase(new SKColor(40, 40, 40));
        for (int i = 0; i < n; i++)
        {
            int ox = padding + i % cols * (cw + padding), oy = padding + i / cols * (ch + padding);
            for (int y = 0; y < ch; y++)
                for (int x = 0; x < cw; x++)
                {
                    int src = ((i * h + y / scale) * w + x / scale) * c;
                    byte r = px[src], g = c == 3 ? px[src + 1] : r, b = c == 3 ? px[src + 2] : r;
                    bitmap.SetPixel(ox + x, oy + y, new SKColor(r, g, b));
                }
        }
        return bitmap;
    }
}
