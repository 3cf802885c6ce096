using System.Buffers.Binary;

namespace GenSharp.Data;

/// <summary>
/// Reads a PNG's size from its IHDR chunk (bytes 16-23) before anything decodes it, so a 100-byte file declaring a
/// 100,000 x 100,000 image is refused instead of allocating 40 GB.
/// </summary>
public static class PngHeader
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Width and height from the header, or a <see cref="DataFileException"/> if the bytes do not start like a PNG.</summary>
    public static (long Width, long Height) Size(string path, ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 24 || !bytes[..8].SequenceEqual(Signature) || !bytes[12..16].SequenceEqual("IHDR"u8))
            throw new DataFileException($"{path}: not a decodable PNG image (no PNG signature and IHDR header); remove or replace it");
        return (BinaryPrimitives.ReadUInt32BigEndian(bytes[16..]), BinaryPrimitives.ReadUInt32BigEndian(bytes[20..]));
    }

    /// <summary>Refuses a PNG whose declared width or height is 0 or above <see cref="Limits.MaxImageSide"/>.</summary>
    public static void RequireWithinLimits(string path, ReadOnlySpan<byte> bytes)
    {
        var (w, h) = Size(path, bytes);
        if (w < 1 || h < 1 || w > Limits.MaxImageSide || h > Limits.MaxImageSide)
            throw new DataFileException($"{path}: declares a {w}x{h} image; images must be 1 to {Limits.MaxImageSide} pixels on each side");
    }
}
