using System.Buffers.Binary;

namespace GenSharp.Data;

/// <summary>
/// The content of an IDX file: element type, dimensions and the raw element bytes (big-endian for
/// multi-byte types, as stored in the file).
/// </summary>
public sealed record IdxArray(IdxElementType Type, int[] Dimensions, byte[] Data)
{
    /// <summary>Size of one element in bytes.</summary>
    public static int ElementSize(IdxElementType type) => type switch
    {
        IdxElementType.UInt8 or IdxElementType.Int8 => 1,
        IdxElementType.Int16 => 2,
        IdxElementType.Int32 or IdxElementType.Float32 => 4,
        IdxElementType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>Number of elements.</summary>
    public long Count => Dimensions.Aggregate(1L, (a, d) => a * d);

    /// <summary>Every element converted to float32.</summary>
    public float[] ToFloat32()
    {
        var result = new float[Count];
        var span = Data.AsSpan();
        for (int i = 0; i < result.Length; i++)
            result[i] = Type switch
            {
                IdxElementType.UInt8 => span[i],
                IdxElementType.Int8 => (sbyte)span[i],
                IdxElementType.Int16 => BinaryPrimitives.ReadInt16BigEndian(span[(2 * i)..]),
                IdxElementType.Int32 => BinaryPrimitives.ReadInt32BigEndian(span[(4 * i)..]),
                IdxElementType.Float32 => BinaryPrimitives.ReadSingleBigEndian(span[(4 * i)..]),
                _ => (float)BinaryPrimitives.ReadDoubleBigEndian(span[(8 * i)..]),
            };
        return result;
    }
}
