using GenSharp.Data;
using SkiaSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Data;

public sealed class PngFolderTests
{
    private static void WritePng(string path, int w, int h, Func<int, int, SKColor> color)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bmp = new SKBitmap(w, h);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) bmp.SetPixel(x, y, color(x, y));
        using var data = bmp.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }

    [Fact]
    public void ClassSubfoldersBecomeLabelsAndPixelsAreExact()
    {
        string dir = TestTemp.Directory("gensharp-png").FullName;
        WritePng(Path.Combine(dir, "cats", "a.png"), 4, 3, (x, y) => new SKColor((byte)(x * 60), (byte)(x * 60), (byte)(x * 60)));
        WritePng(Path.Combine(dir, "dogs", "b.png"), 4, 3, (x, y) => new SKColor((byte)(y * 100), (byte)(y * 100), (byte)(y * 100)));
        using var ds = PngFolder.Load(dir, range: PixelRange.ZeroToOne);
        Assert.Equal(new long[] { 2, 1, 3, 4 }, ds.Images.shape); // grey detected -> 1 channel
        Assert.Equal(["cats", "dogs"], ds.ClassNames);
        Assert.Equal([0L, 1L], ds.Labels!.data<long>().ToArray());
        Assert.Equal(180 / 255f, ds.Images[0, 0, 1, 3].item<float>(), 6);
        Assert.Equal(200 / 255f, ds.Images[1, 0, 2, 0].item<float>(), 6);

        WritePng(Path.Combine(dir, "dogs", "c.png"), 4, 3, (x, y) => new SKColor(255, 0, 0));
        using var rgb = PngFolder.Load(dir);
        Assert.Equal(3, rgb.Channels);
        Assert.Equal(1f, rgb.Images[2, 0, 0, 0].item<float>());
        Assert.Equal(-1f, rgb.Images[2, 1, 0, 0].item<float>());
    }

    [Fact]
    public void MismatchedSizesAndEmptyFoldersAreClearErrors()
    {
        string dir = TestTemp.Directory("gensharp-png").FullName;
        Assert.Contains("no .png images", Assert.Throws<DataFileException>(() => PngFolder.Load(dir)).Message);
        WritePng(Path.Combine(dir, "a.png"), 4, 4, (_, _) => SKColors.White);
        WritePng(Path.Combine(dir, "b.png"), 5, 4, (_, _) => SKColors.White);
        var e = Assert.Throws<DataFileException>(() => PngFolder.Load(dir));
        Assert.Contains("b.png", e.Message);
        Assert.Contains("5x4 differs from 4x4", e.Message);
        File.WriteAllText(Path.Combine(dir, "c.png"), "not a png");
        File.Delete(Path.Combine(dir, "b.png"));
        Assert.Contains("not a decodable PNG", Assert.Throws<DataFileException>(() => PngFolder.Load(dir)).Message);
    }
}
