using GenSharp.Output;
using SkiaSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Output;

public sealed class ImageOutputTests
{
    [Fact]
    public void GridHasTheExpectedSizeAndMapsMinusOneZeroOneToBlackGreyWhite()
    {
        using var scope = NewDisposeScope();
        var images = zeros([5, 1, 4, 3]);
        images[0, 0, 0, 0] = tensor(-1f);
        images[0, 0, 0, 1] = tensor(1f);
        images[1, 0, 3, 2] = tensor(7f); // clamped
        var png = ImageGrid.EncodePng(images, columns: 3, padding: 2, scale: 2);
        using var bmp = SKBitmap.Decode(png);
        Assert.Equal(2 + 3 * (3 * 2 + 2), bmp.Width);   // 3 columns of 6 px + padding
        Assert.Equal(2 + 2 * (4 * 2 + 2), bmp.Height);  // 2 rows of 8 px + padding
        Assert.Equal(0, bmp.GetPixel(2, 2).Red);         // image 0, pixel (0, 0) = -1
        Assert.Equal(255, bmp.GetPixel(2 + 2, 2).Red);   // pixel (0, 1) = +1, scaled x2
        Assert.Equal(128, bmp.GetPixel(2 + 4, 2 + 2).Red); // a 0 pixel
        Assert.Equal(255, bmp.GetPixel(2 + 8 + 5, 2 + 7).Green); // image 1, pixel (3, 2) clamped to white
    }

    [Fact]
    public void RgbImagesKeepTheirChannels()
    {
        using var scope = NewDisposeScope();
        var images = stack([ones([2, 2]), -ones([2, 2]), zeros([2, 2])]).unsqueeze(0); // (1, 3, 2, 2): red-ish
        using var bmp = SKBitmap.Decode(ImageGrid.EncodePng(images, padding: 0));
        var c = bmp.GetPixel(1, 1);
        Assert.Equal((255, 0, 128), (c.Red, c.Green, c.Blue));
    }

    [Fact]
    public void StripWritesCaptionedRows()
    {
        using var scope = NewDisposeScope();
        string path = Path.Combine(TestTemp.Directory("gensharp-out").FullName, "strip.png");
        var row = linspace(-1, 1, 4).reshape(4, 1, 1, 1).expand(4, 1, 8, 8).contiguous();
        ImageStrip.Save(path, [("closed form", row), ("step by step", row)], ["t=0", "t=20", "t=40", "t=60"], scale: 2);
        using var bmp = SKBitmap.Decode(path);
        Assert.True(bmp.Width > 4 * 16);
        Assert.True(bmp.Height > 2 * 16 + 10);
    }
}
