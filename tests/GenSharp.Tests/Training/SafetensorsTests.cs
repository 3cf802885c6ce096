using System.Buffers.Binary;
using System.Text;
using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Training;

public sealed class SafetensorsTests
{
    private static string TempFile() => Path.Combine(TestTemp.Directory("gensharp-st").FullName, "x.safetensors");

    [Fact]
    public void EveryDtypeRoundTripsBitExactlyWithMetadata()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(1, CPU);
        var src = new Dictionary<string, Tensor>
        {
            ["f64"] = randn([3, 4], dtype: ScalarType.Float64, generator: g),
            ["f32.transposed"] = randn([5, 3], generator: g).T,            // non-contiguous
            ["f16"] = randn([7], generator: g).to_type(ScalarType.Float16),
            ["bf16"] = randn([2, 2], generator: g).to_type(ScalarType.BFloat16),
            ["i64"] = randint(-1000, 1000, [6], dtype: ScalarType.Int64, generator: g),
            ["i32"] = randint(-1000, 1000, [6], dtype: ScalarType.Int32, generator: g),
            ["i16"] = randint(-1000, 1000, [6], dtype: ScalarType.Int16, generator: g),
            ["i8"] = randint(-100, 100, [6], dtype: ScalarType.Int8, generator: g),
            ["u8"] = randint(0, 255, [2, 3], dtype: ScalarType.Byte, generator: g),
            ["bool"] = randn([9], generator: g) > 0,
            ["scalar"] = tensor(3.25f),
            ["empty"] = zeros([0, 4]),
        };
        string path = TempFile();
        Safetensors.Save(path, src, new Dictionary<string, string> { ["note"] = "héllo", ["step"] = "12" });
        using var loaded = Safetensors.Load(path);
        Assert.Equal(src.Count, loaded.Tensors.Count);
        foreach (var (name, t) in src)
        {
            var u = loaded.Tensors[name];
            Assert.Equal(t.dtype, u.dtype);
            Assert.Equal(t.shape, u.shape);
            Assert.Equal(t.contiguous().bytes.ToArray(), u.bytes.ToArray());
        }
        Assert.Equal("héllo", loaded.Metadata["note"]);
        // the header is 8-byte aligned like the reference writer's
        Assert.Equal(0UL, BinaryPrimitives.ReadUInt64LittleEndian(File.ReadAllBytes(path)) % 8);
    }

    [Fact]
    public void AFailedWriteLeavesThePreviousFileIntact()
    {
        string path = TempFile();
        AtomicFile.WriteAllText(path, "old");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path,
            s => { s.Write("new, half"u8); throw new InvalidOperationException("crash"); }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!)); // no temp file left behind
    }

    /// <summary>Builds a file from a header string and a data length.</summary>
    private static string Hostile(string header, int dataBytes, ulong? headerLength = null)
    {
        string path = TempFile();
        var h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, headerLength ?? (ulong)h.Length);
        h.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public static TheoryData<string, int, string> Corruptions() => new()
    {
        { """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 4, "ends at byte 8 but the file holds 4" },     // truncated
        { """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 12, "holds 12 data bytes" },                  // trailing bytes
        { """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8,
            "duplicate tensor name 'a'" },
        { """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}""", 12,
            "starts at byte 8, expected 4" },   // gap
        { """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8,
            "expected 8" },             // overlap
        { """{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8, "needs 12" },                                // size != shape x dtype
        { """{"a":{"dtype":"Q4","shape":[2],"data_offsets":[0,8]}}""", 8, "unknown dtype" },
        { """{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", 8, "non-negative integer" },
        { """{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}""", 8, "overflows" },
        { """{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}""", 8, "invalid data_offsets" },
        { """{"__metadata__":{"k":3}}""", 0, "not a string" },
        { """[1,2]""", 0, "not a JSON object" },
        { """{"a":""", 0, "not valid JSON" },
        // wrong JSON kinds where numbers, strings, arrays or objects belong: refused, never an unhandled exception
        { """{"a":{"dtype":"F32","shape":[128],"data_offsets":["0","512"]}}""", 512, "invalid data_offsets" },
        { """{"a":{"dtype":"F32","shape":[2],"data_offsets":[null,8]}}""", 8, "invalid data_offsets" },
        { """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8.5]}}""", 8, "invalid data_offsets" },
        { """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,1e400]}}""", 8, "invalid data_offsets" },
        { """{"a":{"dtype":"F32","shape":[2],"data_offsets":[[0],[8]]}}""", 8, "invalid data_offsets" },
        { """{"a":{"dtype":"F32","shape":[2],"data_offsets":{"begin":0,"end":8}}}""", 8, "needs data_offsets" },
        { """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8,8]}}""", 8, "needs data_offsets" },
        { """{"a":{"dtype":"F32","shape":[2]}}""", 8, "needs data_offsets" },
        { """{"a":{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}}""", 8, "non-negative integer" },
        { """{"a":{"dtype":"F32","shape":[true],"data_offsets":[0,4]}}""", 4, "non-negative integer" },
        { """{"a":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}}""", 8, "non-negative integer" },
        { """{"a":{"dtype":"F32","shape":"2","data_offsets":[0,8]}}""", 8, "no shape array" },
        { """{"a":{"dtype":"F32","data_offsets":[0,8]}}""", 8, "no shape array" },
        { """{"a":{"dtype":4,"shape":[2],"data_offsets":[0,8]}}""", 8, "unknown dtype" },
        { """{"a":{"dtype":null,"shape":[2],"data_offsets":[0,8]}}""", 8, "unknown dtype" },
        { """{"a":{"shape":[2],"data_offsets":[0,8]}}""", 8, "unknown dtype" },
        { """{"a":{"dtype":"f32","shape":[2],"data_offsets":[0,8]}}""", 8, "unknown dtype" },
        { """{"a":{"dtype":"F32","dtype":"U8","shape":[2],"data_offsets":[0,8]}}""", 8, "duplicate field 'dtype'" },
        { """{"a":[1,2]}""", 0, "not an object" },
        { """{"a":"F32"}""", 0, "not an object" },
        { """{"a":null}""", 0, "not an object" },
        { """{"__metadata__":["k","v"]}""", 0, "__metadata__ is not an object" },
        { """{"__metadata__":"k"}""", 0, "__metadata__ is not an object" },
        { """{"__metadata__":{"k":null}}""", 0, "not a string" },
        { """{"__metadata__":{"k":{"x":"y"}}}""", 0, "not a string" },
        { """{"__metadata__":{"k":["v"]}}""", 0, "not a string" },
        { """{"__metadata__":{"k":"v","k":"w"}}""", 0, "duplicate __metadata__ key 'k'" },
        { """{"\ud800":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 4, "not valid" },
        { """{"__metadata__":{"k":"\udc00"}}""", 0, "not valid" },
        { """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":[[[[[[[[[[1]]]]]]]]]]}}""", 4, "not valid JSON" },
        { """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}} x""", 4, "not valid JSON" },
        { "", 0, "not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void CorruptOrHostileFilesAreRefusedWithAOneLineError(string header, int dataBytes, string expected)
    {
        string path = Hostile(header, dataBytes);
        var e = Assert.Throws<CheckpointException>(() => Safetensors.Load(path));
        Assert.Contains(expected, e.Message);
        Assert.StartsWith(path, e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Fact]
    public void HugeOrOverlongHeaderLengthsAndInvalidUtf8AreRefusedWithoutAllocating()
    {
        Assert.Contains("exceeds", Assert.Throws<CheckpointException>(() => Safetensors.Load(Hostile("{}", 0, 1UL << 63))).Message);
        Assert.Contains("past the end", Assert.Throws<CheckpointException>(() => Safetensors.Load(Hostile("{}", 0, 1000))).Message);
        string path = TempFile();
        File.WriteAllBytes(path, [2, 0, 0, 0, 0, 0, 0, 0, 0xC3, 0x28]);
        Assert.Contains("UTF-8", Assert.Throws<CheckpointException>(() => Safetensors.Load(path)).Message);
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Contains("shorter than", Assert.Throws<CheckpointException>(() => Safetensors.Load(path)).Message);
    }
}
