using static TorchSharp.torch;

namespace GenSharp.Output;

/// <summary>
/// An animated GIF89a writer (SkiaSharp encodes only PNG, JPEG and WebP: mono/SkiaSharp issues #1130 and #2897). Each frame is an
/// (C, H, W) image in [-1, 1] (C = 1 or 3, pixels mapped as <see cref="ImageGrid"/> maps them) enlarged by an integer scale. Grey
/// frames use a 256-level grey palette and are exact; colour frames are quantised to a 6x6x6 colour cube plus 40 greys. The format
/// (GIF89a specification, W3C 1990): header, logical screen descriptor with a global colour table, the NETSCAPE2.0 application
/// extension (loop forever), then per frame a graphic control extension (delay) and an image descriptor followed by its pixel indices,
/// compressed with variable-width LZW (codes of 9 to 12 bits, a clear code when the 4096-entry table is full) in sub-blocks of at
/// most 255 bytes; the trailer 0x3B ends the file.
/// </summary>
public static class GifAnimation
{
    private const int MaxCode = 4095;

    /// <summary>Writes <paramref name="frames"/> (N, C, H, W) in [-1, 1] as an animated GIF, atomically.</summary>
    public static void Save(string path, Tensor frames, int scale = 4, int delayMs = 250, bool zeroToOne = false) =>
        Training.AtomicFile.WriteAllBytes(path, Encode(frames, scale, delayMs, zeroToOne));

    /// <summary>The GIF file's bytes.</summary>
    public static byte[] Encode(Tensor frames, int scale = 4, int delayMs = 250, bool zeroToOne = false)
    {
        if (scale < 1 || scale > 64) throw new ArgumentException($"scale {scale}: must be between 1 and 64");
        byte[] px = ImageGrid.ToBytes(frames, zeroToOne, out int n, out int c, out int h, out int w);
        int width = w * scale, height = h * scale;
        if (width > ushort.MaxValue || height > ushort.MaxValue) throw new ArgumentException($"{width}x{height}: too large for a GIF");
        byte[] palette = c == 1 ? GreyPalette() : ColourPalette();
        var indices = new byte[n][];
        for (int i = 0; i < n; i++)
        {
            indices[i] = new byte[width * height];
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    int src = ((i * h + y / scale) * w + x / scale) * c;
                    indices[i][y * width + x] = c == 1 ? px[src] : ColourIndex(px[src], px[src + 1], px[src + 2]);
                }
        }
        return Encode(indices, width, height, palette, Math.Max(0, (delayMs + 5) / 10));
    }

    /// <summary>Frames of palette indices (width x height each, row-major) with a 256-entry RGB palette (768 bytes).</summary>
    public static byte[] Encode(IReadOnlyList<byte[]> frames, int width, int height, byte[] palette, int delayCentiseconds)
    {
        if (palette.Length != 768) throw new ArgumentException("the palette must have 256 RGB entries (768 bytes)");
        if (frames.Count == 0 || frames.Any(f => f.Length != width * height)) throw new ArgumentException("frames must be width x height indices");
        using var s = new MemoryStream();
        s.Write("GIF89a"u8);
        WriteUInt16(s, width);
        WriteUInt16(s, height);
        s.WriteByte(0xF7);                     // global colour table, 8 bits of colour resolution, 2^(7+1) = 256 entries
        s.WriteByte(0);                        // background colour index
        s.WriteByte(0);                        // pixel aspect ratio: not given
        s.Write(palette);
        s.Write([0x21, 0xFF, 0x0B]);           // application extension, 11 bytes of identifier
        s.Write("NETSCAPE2.0"u8);
        s.Write([0x03, 0x01, 0x00, 0x00, 0x00]); // sub-block: loop count 0 = forever
        foreach (byte[] frame in frames)
        {
            s.Write([0x21, 0xF9, 0x04, 0x04]);  // graphic control extension; disposal 1: leave the frame in place
            WriteUInt16(s, delayCentiseconds);
            s.Write([0x00, 0x00]);              // no transparent colour, block terminator
            s.WriteByte(0x2C);                  // image descriptor
            WriteUInt16(s, 0);
            WriteUInt16(s, 0);
            WriteUInt16(s, width);
            WriteUInt16(s, height);
            s.WriteByte(0);                     // no local colour table, not interlaced
            WriteLzw(s, frame);
        }
        s.WriteByte(0x3B);
        return s.ToArray();
    }

    /// <summary>
    /// GIF's LZW with 8-bit literals: codes 0..255 are pixels, 256 clears the table, 257 ends the data, new strings get 258 upwards; the
    /// code width grows from 9 bits when the next new code reaches 2^width and the table is cleared when it would pass 4095.
    /// </summary>
    private static void WriteLzw(Stream s, byte[] pixels)
    {
        const int minCodeSize = 8, clear = 1 << minCodeSize, end = clear + 1;
        s.WriteByte(minCodeSize);
        var block = new List<byte>(255);
        int width = minCodeSize + 1, overflow = clear << 1, newest = end;
        long bits = 0;
        int bitCount = 0;
        var table = new Dictionary<int, int>();                         // (prefix code << 8 | pixel) -> code
        void Emit(int code)
        {
            bits |= (long)code << bitCount;
            bitCount += width;
            while (bitCount >= 8)
            {
                block.Add((byte)bits);
                bits >>= 8;
                bitCount -= 8;
                if (block.Count == 255) FlushBlock();
            }
        }
        void FlushBlock()
        {
            if (block.Count == 0) return;
            s.WriteByte((byte)block.Count);
            s.Write(block.ToArray());
            block.Clear();
        }
        Emit(clear);
        int prefix = pixels[0];
        for (int i = 1; i < pixels.Length; i++)
        {
            int key = prefix << 8 | pixels[i];
            if (table.TryGetValue(key, out int code)) { prefix = code; continue; }
            Emit(prefix);
            newest++;
            if (newest == overflow) { width++; overflow <<= 1; }
            if (newest == MaxCode)
            {
                Emit(clear);
                table.Clear();
                (width, overflow, newest) = (minCodeSize + 1, clear << 1, end);
            }
            else table[key] = newest;
            prefix = pixels[i];
        }
        Emit(prefix);
        Emit(end);
        if (bitCount > 0) block.Add((byte)bits);
        FlushBlock();
        s.WriteByte(0);                                                 // block terminator
    }

    private static void WriteUInt16(Stream s, int value)
    {
        s.WriteByte((byte)value);
        s.WriteByte((byte)(value >> 8));
    }

    private static byte[] GreyPalette()
    {
        var p = new byte[768];
        for (int i = 0; i < 256; i++) p[3 * i] = p[3 * i + 1] = p[3 * i + 2] = (byte)i;
        return p;
    }

    /// <summary>Indices 0..215: the 6x6x6 cube (levels 0, 51, ..., 255); 216..255: 40 greys.</summary>
    private static byte[] ColourPalette()
    {
        var p = new byte[768];
        for (int i = 0; i < 216; i++) (p[3 * i], p[3 * i + 1], p[3 * i + 2]) = ((byte)(i / 36 * 51), (byte)(i / 6 % 6 * 51), (byte)(i % 6 * 51));
        for (int i = 216; i < 256; i++) p[3 * i] = p[3 * i + 1] = p[3 * i + 2] = (byte)Math.Round((i - 216) * 255 / 39.0);
        return p;
    }

    private static byte ColourIndex(byte r, byte g, byte b)
    {
        static int Level(byte v) => (v + 25) / 51;
        int cube = Level(r) * 36 + Level(g) * 6 + Level(b);
        if (r != g || g != b) return (byte)cube;
        int grey = 216 + (int)Math.Round(r * 39 / 255.0);               // exact greys are closer in the grey ramp
        return (byte)grey;
    }
}
