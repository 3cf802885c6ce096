using System.Buffers.Binary;
using System.Text;

namespace GenSharp.Tests.Output;

/// <summary>
/// Reads a TensorBoard event file as TensorBoard does, written here from the formats' definitions and sharing no code with
/// the writer (TorchSharp's SummaryWriter): TFRecord framing (uint64 length, masked CRC-32C of the length, the data,
/// masked CRC-32C of the data; tensorflow/core/lib/io/record_writer.cc) and the <c>Event</c> / <c>Summary</c> protocol
/// buffers (tensorflow/core/util/event.proto, tensorflow/core/framework/summary.proto), decoded field by field.
/// </summary>
internal static class TfEventReader
{
    public sealed record ImageValue(int Height, int Width, int Colorspace, byte[] Encoded);

    public sealed record SummaryValue(string Tag, float? SimpleValue, ImageValue? Image);

    public sealed record Event(double WallTime, long Step, string? FileVersion, IReadOnlyList<SummaryValue> Values);

    /// <summary>Every record of the file; throws <see cref="InvalidDataException"/> on a bad length, CRC or truncation.</summary>
    public static List<Event> Read(string path)
    {
        byte[] b = File.ReadAllBytes(path);
        var events = new List<Event>();
        int i = 0;
        while (i < b.Length)
        {
            if (b.Length - i < 12) throw new InvalidDataException($"truncated record header at byte {i}");
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(i, 8));
            uint lengthCrc = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(i + 8, 4));
            if (MaskedCrc32C(b.AsSpan(i, 8)) != lengthCrc) throw new InvalidDataException($"length CRC mismatch at byte {i}");
            if (length > (ulong)(b.Length - i - 16)) throw new InvalidDataException($"record at byte {i} runs past the end");
            var data = b.AsSpan(i + 12, (int)length);
            uint dataCrc = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(i + 12 + (int)length, 4));
            if (MaskedCrc32C(data) != dataCrc) throw new InvalidDataException($"data CRC mismatch at byte {i}");
            events.Add(ParseEvent(data.ToArray()));
            i += 16 + (int)length;
        }
        return events;
    }

    /// <summary>CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), bit by bit.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte x in data)
        {
            crc ^= x;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78 : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>TFRecord's mask: rotate right by 15 bits and add 0xa282ead8.</summary>
    public static uint MaskedCrc32C(ReadOnlySpan<byte> data)
    {
        uint crc = Crc32C(data);
        return unchecked(((crc >> 15) | (crc << 17)) + 0xa282ead8);
    }

    // Event: 1 wall_time (double), 2 step (int64), 3 file_version (string), 5 summary (Summary)
    private static Event ParseEvent(byte[] data)
    {
        double wall = 0;
        long step = 0;
        string? version = null;
        var values = new List<SummaryValue>();
        foreach (var (field, wire, varint, bytes) in Fields(data))
        {
            if (field == 1 && wire == 1) wall = BitConverter.Int64BitsToDouble((long)varint);
            else if (field == 2 && wire == 0) step = (long)varint;
            else if (field == 3 && wire == 2) version = Encoding.UTF8.GetString(bytes!);
            else if (field == 5 && wire == 2)
                foreach (var (f, w, _, v) in Fields(bytes!))
                    if (f == 1 && w == 2) values.Add(ParseValue(v!)); // Summary: 1 repeated Value
        }
        return new Event(wall, step, version, values);
    }

    // Summary.Value: 1 tag (string), 2 simple_value (float), 4 image (Summary.Image)
    private static SummaryValue ParseValue(byte[] data)
    {
        string tag = "";
        float? simple = null;
        ImageValue? image = null;
        foreach (var (field, wire, varint, bytes) in Fields(data))
        {
            if (field == 1 && wire == 2) tag = Encoding.UTF8.GetString(bytes!);
            else if (field == 2 && wire == 5) simple = BitConverter.Int32BitsToSingle((int)varint);
            else if (field == 4 && wire == 2) image = ParseImage(bytes!);
        }
        return new SummaryValue(tag, simple, image);
    }

    // Summary.Image: 1 height, 2 width, 3 colorspace (int32), 4 encoded_image_string (bytes)
    private static ImageValue ParseImage(byte[] data)
    {
        int h = 0, w = 0, c = 0;
        byte[] encoded = [];
        foreach (var (field, wire, varint, bytes) in Fields(data))
        {
            if (field == 1 && wire == 0) h = (int)varint;
            else if (field == 2 && wire == 0) w = (int)varint;
            else if (field == 3 && wire == 0) c = (int)varint;
            else if (field == 4 && wire == 2) encoded = bytes!;
        }
        return new ImageValue(h, w, c, encoded);
    }

    /// <summary>
    /// The fields of one protobuf message: number, wire type, the value of varint and fixed fields, the bytes of length-delimited ones.
    /// </summary>
    private static IEnumerable<(int Field, int Wire, ulong Value, byte[]? Bytes)> Fields(byte[] data)
    {
        int i = 0;
        while (i < data.Length)
        {
            ulong key = Varint(data, ref i);
            int field = (int)(key >> 3), wire = (int)(key & 7);
            switch (wire)
            {
                case 0: yield return (field, wire, Varint(data, ref i), null); break;
                case 1: yield return (field, wire, BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(i, 8)), null); i += 8; break;
                case 5: yield return (field, wire, BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(i, 4)), null); i += 4; break;
                case 2:
                    int n = checked((int)Varint(data, ref i));
                    yield return (field, wire, 0, data.AsSpan(i, n).ToArray());
                    i += n;
                    break;
                default: throw new InvalidDataException($"wire type {wire} of field {field} is not used by Event or Summary");
            }
        }
    }

    private static ulong Varint(byte[] data, ref int i)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            if (shift > 63 || i >= data.Length) throw new InvalidDataException("bad varint");
            byte x = data[i++];
            value |= (ulong)(x & 0x7F) << shift;
            if ((x & 0x80) == 0) return value;
        }
    }
}
