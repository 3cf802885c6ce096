using GenSharp.Output;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Output;

/// <summary>
/// The GIF89a writer, read back by an independent decoder written here from the specification: header, screen size, palette, the
/// NETSCAPE looping extension, the frame count, each frame's delay, and the LZW-decoded pixel indices equal to the input's.
/// </summary>
public sealed class GifAnimationTests
{
    private sealed record Decoded(int Width, int Height, byte[] Palette, bool Loops, List<int> Delays, List<byte[]> Frames);

    [Fact]
    public void HeaderFrameCountAndPixelsDecodeBack()
    {
        // frames long and varied enough to fill the 4096-entry LZW table several times (clear codes, widths 9 to 12)
        var rng = new Random(5);
        int width = 150, height = 120;
        var frames = Enumerable.Range(0, 3).Select(f =>
            Enumerable.Range(0, width * height).Select(i => (byte)(f == 2 ? rng.Next(256) : (i / 7 + f * 31) % 256)).ToArray()).ToList();
        var palette = Enumerable.Range(0, 768).Select(i => (byte)(i * 7)).ToArray();
        byte[] gif = GifAnimation.Encode(frames, width, height, palette, delayCentiseconds: 12);
        var d = Decode(gif);
        Assert.Equal((width, height), (d.Width, d.Height));
        Assert.Equal(palette, d.Palette);
        Assert.True(d.Loops);
        Assert.Equal([12, 12, 12], d.Delays);
        Assert.Equal(3, d.Frames.Count);
        for (int f = 0; f < 3; f++) Assert.Equal(frames[f], d.Frames[f]);
    }

    [Fact]
    public void GreyImageFramesAreExactAndScaled()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(3, CPU);
        var images = rand([4, 1, 5, 6], generator: g) * 2 - 1;                      // (N, 1, H, W) in [-1, 1]
        var d = Decode(GifAnimation.Encode(images, scale: 3, delayMs: 200));
        Assert.Equal((18, 15, 4), (d.Width, d.Height, d.Frames.Count));
        Assert.Equal([20, 20, 20, 20], d.Delays);
        var expected = ((images + 1) / 2 * 255).round().to_type(ScalarType.Byte);   // ImageGrid's mapping; the palette is the identity grey
        for (int i = 0; i < 4; i++)
            for (int y = 0; y < 15; y++)
                for (int x = 0; x < 18; x++)
                    Assert.Equal(expected[i, 0, y / 3, x / 3].item<byte>(), d.Palette[3 * d.Frames[i][y * 18 + x]]);
    }

    [Fact]
    public void ColourFramesUseTheNearestCubeColour()
    {
        using var scope = NewDisposeScope();
        var images = tensor(new float[] { 1, -1, -1, 1, -1, 0.2f }).reshape(1, 3, 1, 2);  // pixels (255, 0, 0) and (0, 255, 153)
        var d = Decode(GifAnimation.Encode(images, scale: 1));
        byte[] Rgb(int i) => d.Palette.AsSpan(3 * d.Frames[0][i], 3).ToArray();
        Assert.Equal(new byte[] { 255, 0, 0 }, Rgb(0));
        Assert.Equal(new byte[] { 0, 255, 153 }, Rgb(1));
    }

    private static Decoded Decode(byte[] b)
    {
        Assert.Equal("GIF89a", System.Text.Encoding.ASCII.GetString(b, 0, 6));
        int width = b[6] | b[7] << 8, height = b[8] | b[9] << 8;
        Assert.Equal(0x80, b[10] & 0x80);                                              // global colour table present
        int tableSize = 3 << ((b[10] & 7) + 1);
        var palette = b[13..(13 + tableSize)];
        int p = 13 + tableSize;
        var delays = new List<int>();
        var frames = new List<byte[]>();
        bool loops = false;
        while (b[p] != 0x3B)
        {
            if (b[p] == 0x21)
            {
                byte label = b[p + 1];
                if (label == 0xF9) delays.Add(b[p + 4] | b[p + 5] << 8);
                if (label == 0xFF && System.Text.Encoding.ASCII.GetString(b, p + 3, 11) == "NETSCAPE2.0") loops = true;
                p += 2;
                while (b[p] != 0) p += b[p] + 1;                                         // skip the sub-blocks
                p++;
                continue;
            }
            Assert.Equal(0x2C, b[p]);
            int w = b[p + 5] | b[p + 6] << 8, h = b[p + 7] | b[p + 8] << 8;
            Assert.Equal(0, b[p + 9] & 0x80);                                          // no local table
            p += 10;
            int minCodeSize = b[p++];
            var data = new List<byte>();
            while (b[p] != 0) { data.AddRange(b[(p + 1)..(p + 1 + b[p])]); p += b[p] + 1; }
            p++;
            frames.Add(Lzw(data.ToArray(), minCodeSize, w * h));
        }
        return new Decoded(width, height, palette, loops, delays, frames);
    }

    /// <summary>The decoder of the GIF89a specification's appendix F.</summary>
    private static byte[] Lzw(byte[] data, int minCodeSize, int count)
    {
        int clear = 1 << minCodeSize, end = clear + 1;
        var table = new List<byte[]>();
        void Reset()
        {
            table.Clear();
            for (int i = 0; i < clear + 2; i++) table.Add([(byte)i]);
        }
        Reset();
        int size = minCodeSize + 1, bitPos = 0;
        var output = new List<byte>();
        byte[]? previous = null;
        while (true)
        {
            int code = 0;
            for (int k = 0; k < size; k++, bitPos++) code |= (data[bitPos >> 3] >> (bitPos & 7) & 1) << k;
            if (code == clear) { Reset(); size = minCodeSize + 1; previous = null; continue; }
            if (code == end) break;
            byte[] entry;
            if (code < table.Count) entry = table[code];
            else
            {
                Assert.Equal(table.Count, code);                                           // the KwKwK case
                entry = [.. previous!, previous![0]];
            }
            output.AddRange(entry);
            if (previous is not null && table.Count < 4096)
            {
                table.Add([.. previous, entry[0]]);
                if (table.Count == 1 << size && size < 12) size++;
            }
            previous = entry;
        }
        Assert.Equal(count, output.Count);
        return output.ToArray();
    }
}
