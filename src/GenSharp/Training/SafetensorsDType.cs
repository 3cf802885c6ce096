using static TorchSharp.torch;

namespace GenSharp.Training;

/// <summary>safetensors dtype names and element sizes, mapped to TorchSharp scalar types.</summary>
public static class SafetensorsDType
{
    private static readonly Dictionary<string, (ScalarType Type, int Size)> ByName = new(StringComparer.Ordinal)
    {
        ["F64"] = (ScalarType.Float64, 8),
        ["F32"] = (ScalarType.Float32, 4),
        ["F16"] = (ScalarType.Float16, 2),
        ["BF16"] = (ScalarType.BFloat16, 2),
        ["I64"] = (ScalarType.Int64, 8),
        ["I32"] = (ScalarType.Int32, 4),
        ["I16"] = (ScalarType.Int16, 2),
        ["I8"] = (ScalarType.Int8, 1),
        ["U8"] = (ScalarType.Byte, 1),
        ["BOOL"] = (ScalarType.Bool, 1),
    };

    /// <summary>Looks up a dtype name; false if unknown.</summary>
    public static bool TryParse(string name, out ScalarType type, out int size)
    {
        if (ByName.TryGetValue(name, out var v)) { (type, size) = v; return true; }
        (type, size) = (default, 0);
        return false;
    }

    /// <summary>The safetensors name of a scalar type.</summary>
    public static (string Name, int Size) Of(ScalarType type)
    {
        foreach (var (name, v) in ByName)
            if (v.Type == type) return (name, v.Size);
        throw new ArgumentException($"tensor dtype {type} cannot be stored in safetensors");
    }
}
