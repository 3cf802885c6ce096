using System.Buffers.Binary;
using System.IO.Compression;

namespace GenSharp.Data;

/// <summary>
/// Reads IDX files (the MNIST format), gzip-compressed (detected by the 1f 8b magic) or raw, with full
/// validation: every failure is a one-line <see cref="DataFileException"/> naming the file and the
/// problem. Format: bytes 0-1 zero, byte 2 the element type, byte 3 the rank; rank big-endian int32
/// dimensions; then prod(dims) elements.
/// </summary>
public static class IdxReader
{
    /// <summary>Largest rank accepted.</summary>
    public const int MaxRank = 4;

    /// <summary>Largest IDX file accepted, raw or after decompression (Fashion-MNIST's largest is 47 MB).</summary>
    public const long MaxBytes = 1L << 30;

    public static IdxArray Read(string path)
    {
        Files.InputFile.RequireData(path);
        byte[] bytes;
        try
        {
            bytes = Decompress(path);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException)
        {
            throw new DataFileException($"{path}: corrupt or truncated gzip stream ({e.Message.TrimEnd('.')}); re-download or reinstall the file",
                e);
        }
        return Parse(path, bytes);
    }

    /// <summary>Parses IDX bytes already in memory; <paramref name="path"/> is only used in messages.</summary>
    public static IdxArray Parse(string path, byte[] b)
    {
        DataFileException Bad(string what) => new($"{path}: {what}");
        if (b.Length < 4) throw Bad($"only {b.Length} bytes, too short for an IDX header; the file is truncated or not an IDX file");
        uint magic = BinaryPrimitives.ReadUInt32BigEndian(b);
        if (b[0] != 0 || b[1] != 0)
            throw Bad($"wrong magic number 0x{magic:X8}, expected 0x0000TTRR (type, rank): not an IDX file");
        var type = (IdxElementType)b[2];
        if (!Enum.IsDefined(type)) throw Bad($"unknown element type code 0x{b[2]:X2} in magic number 0x{magic:X8}");
        int rank = b[3];
        if (rank < 1 || rank > MaxRank) throw Bad($"rank {rank} in magic number 0x{magic:X8} is not supported (1..{MaxRank})");
        int headerLength = 4 + 4 * rank;
        if (b.Length < headerLength) throw Bad($"header truncated: {rank} dimensions need {headerLength} bytes, the file has {b.Length}");
        var dims = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++)
        {
            int d = BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(4 + 4 * i));
            if (d <= 0) throw Bad($"dimension {i} is {d}; every dimension must be positive");
            dims[i] = d;
            try { count = checked(count * d); }
            catch (OverflowException) { throw Bad("dimensions overflow the element count"); }
        }
        long expected;
        try { expected = checked(count * IdxArray.ElementSize(type)); }
        catch (OverflowException) { throw Bad("data size overflows"); }
        long found = b.Length - headerLength;
        if (found < expected) throw Bad($"truncated: expected {expected} data bytes for [{string.Join(", ", dims)}], found {found}; re-download " +
            $"or reinstall the file");
        if (found > expected) throw Bad($"{found - expected} unexpected trailing bytes after [{string.Join(", ", dims)}] {type} data; the file is " +
            $"corrupt");
        return new IdxArray(type, dims, b[headerLength..]);
    }

    private static byte[] Decompress(string path)
    {
        using var file = File.OpenRead(path);
        Span<byte> head = stackalloc byte[2];
        int read = file.Read(head);
        file.Position = 0;
        if (read < 2 || head[0] != 0x1f || head[1] != 0x8b)
        {
            if (file.Length > MaxBytes)
                throw new DataFileException($"{path}: {file.Length} bytes, more than the {MaxBytes}-byte limit of an IDX file");
            return File.ReadAllBytes(path);
        }
        using var gzip = new GZipStream(new BufferedStream(file, 1 << 20), CompressionMode.Decompress);
        using var output = new MemoryStream();
        var chunk = new byte[1 << 20];
        for (int n; (n = gzip.Read(chunk)) > 0;)
        {
            if (output.Length + n > MaxBytes)
                throw new DataFileException($"{path}: decompresses to more than {MaxBytes} bytes; not a Fashion-MNIST-sized IDX file");
            output.Write(chunk, 0, n);
        }
        return output.ToArray();
    }
}
