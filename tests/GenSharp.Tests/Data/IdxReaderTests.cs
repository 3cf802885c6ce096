using System.Buffers.Binary;
using System.IO.Compression;
using GenSharp.Data;

namespace GenSharp.Tests.Data;

public sealed class IdxReaderTests
{
    private static byte[] Idx(byte type, int[] dims, int dataBytes)
    {
        var b = new byte[4 + 4 * dims.Length + dataBytes];
        b[2] = type;
        b[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4 + 4 * i), dims[i]);
        for (int i = 0; i < dataBytes; i++) b[4 + 4 * dims.Length + i] = (byte)i;
        return b;
    }

    private static string WriteGz(byte[] content, string name = "x-idx3-ubyte.gz")
    {
        string path = Path.Combine(TestTemp.Directory("gensharp-idx").FullName, name);
        using (var f = File.Create(path))
        using (var gz = new GZipStream(f, CompressionLevel.Fastest))
            gz.Write(content);
        return path;
    }

    [Fact]
    public void ReadsAValidGzippedFileAndConvertsElements()
    {
        var content = Idx(0x08, [2, 3, 4], 24);
        var a = IdxReader.Read(WriteGz(content));
        Assert.Equal(IdxElementType.UInt8, a.Type);
        Assert.Equal([2, 3, 4], a.Dimensions);
        Assert.Equal(23f, a.ToFloat32()[23]);

        var ints = Idx(0x0C, [2], 8);
        BinaryPrimitives.WriteInt32BigEndian(ints.AsSpan(8), -7);
        BinaryPrimitives.WriteInt32BigEndian(ints.AsSpan(12), 300000);
        Assert.Equal([-7f, 300000f], IdxReader.Read(WriteGz(ints)).ToFloat32());
    }

    public static TheoryData<byte[], string> Broken() => new()
    {
        { Idx(0x08, [10, 28, 28], 7839), "truncated: expected 7840 data bytes for [10, 28, 28], found 7839" },
        { Idx(0x08, [10], 12), "2 unexpected trailing bytes" },
        { [0x12, 0x34, 0x08, 0x03, 0, 0, 0, 1], "wrong magic number 0x12340803" },
        { [0, 0, 0x07, 0x01, 0, 0, 0, 1, 5], "unknown element type code 0x07" },
        { [0, 0, 0x08, 0x09], "rank 9" },
        { [0, 0, 0x08, 0x03, 0, 0, 0, 1], "header truncated" },
        { Idx(0x08, [3, 0], 0), "dimension 1 is 0" },
        { [0, 0], "too short" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void BrokenFilesGiveAOneLineErrorNamingTheFile(byte[] content, string expected)
    {
        string path = WriteGz(content);
        var e = Assert.Throws<DataFileException>(() => IdxReader.Read(path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain("\n", e.Message);
        Assert.Equal(2, e.ExitCode);
    }

    [Fact]
    public void ATruncatedGzipStreamIsReportedAsSuch()
    {
        string good = WriteGz(Idx(0x08, [100, 28, 28], 78400));
        var bytes = File.ReadAllBytes(good);
        string path = Path.Combine(Path.GetDirectoryName(good)!, "cut.gz");
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<DataFileException>(() => IdxReader.Read(path));
        Assert.StartsWith(path, e.Message);
        Assert.True(e.Message.Contains("gzip") || e.Message.Contains("truncated"), e.Message);
    }
}
