using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Training;

/// <summary>
/// The safetensors format: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
/// (<c>{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}</c>), then the
/// raw little-endian tensor bytes. No code is ever executed on load (no pickle).
/// The reader enforces what the reference (Rust) reader enforces, so a corrupt or hostile file is refused
/// with a one-line <see cref="CheckpointException"/>.
/// </summary>
public static class Safetensors
{
    /// <summary>Largest header accepted (the reference reader's limit).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>Writes tensors (name order, contiguous) and metadata atomically.</summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var items = tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, _) in items)
            if (name == "__metadata__" || !names.Add(name)) throw new ArgumentException($"duplicate or reserved tensor name '{name}'");

        var payloads = new List<byte[]>(items.Count);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) json.WriteString(k, v);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, tensor) in items)
            {
                byte[] bytes = ToBytes(tensor);
                payloads.Add(bytes);
                json.WriteStartObject(name);
                json.WriteString("dtype", SafetensorsDType.Of(tensor.dtype).Name);
                json.WriteStartArray("shape");
                foreach (long d in tensor.shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes.Length);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes.Length;
            }
            json.WriteEndObject();
        }
        var header = buffer.ToArray().ToList();
        while (header.Count % 8 != 0) header.Add((byte)' ');
        AtomicFile.Write(path, stream =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Count);
            stream.Write(len);
            stream.Write(header.ToArray());
            foreach (var p in payloads) stream.Write(p);
        });
    }

    /// <summary>Reads and validates a file; tensors are created on <paramref name="device"/> (CPU by default).</summary>
    public static SafetensorsContent Load(string path, Device? device = null)
    {
        Files.InputFile.RequireCheckpoint(path);
        byte[] file;
        try { file = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException($"{path}: cannot read ({e.Message})", e);
        }
        var entries = SafetensorsHeader.Parse(path, file, out var metadata, out long dataStart);

        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var e in entries)
            {
                var t = FromBytes(file.AsSpan((int)(dataStart + e.Begin), (int)(e.End - e.Begin)), e.Type, e.Shape);
                tensors[e.Name] = device is null || device.type == DeviceType.CPU ? t : MoveTo(t, device);
            }
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
        return new SafetensorsContent(tensors, metadata);
    }

    private static Tensor MoveTo(Tensor t, Device device)
    {
        var moved = t.to(device).DetachFromDisposeScope();
        t.Dispose();
        return moved;
    }

    private static byte[] ToBytes(Tensor tensor)
    {
        using var scope = NewDisposeScope();
        var t = tensor.detach().cpu().contiguous();
        long count = t.numel();
        int size = SafetensorsDType.Of(t.dtype).Size;
        var bytes = new byte[checked(count * size)];
        if (count == 0) return bytes;
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian hosts are not supported");
        t.bytes.CopyTo(bytes); // the storage's exact bits for every dtype
        return bytes;
    }

    private static Tensor FromBytes(ReadOnlySpan<byte> bytes, ScalarType type, long[] shape)
    {
        using var scope = NewDisposeScope();
        var t = empty(shape, dtype: type);
        if (bytes.Length > 0) bytes.CopyTo(t.bytes);
        return t.MoveToOuterDisposeScope();
    }
}
