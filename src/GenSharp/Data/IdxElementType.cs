namespace GenSharp.Data;

/// <summary>The element type code in byte 2 of an IDX file's magic number.</summary>
public enum IdxElementType : byte
{
    UInt8 = 0x08,
    Int8 = 0x09,
    Int16 = 0x0B,
    Int32 = 0x0C,
    Float32 = 0x0D,
    Float64 = 0x0E,
}
