using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace GenSharp.Training;

/// <summary>
/// Parses and validates a safetensors header the way the reference reader does: header length within
/// 100 MB and inside the file, UTF-8 JSON object, no duplicate names, known dtypes, non-negative
/// integer shapes, overflow-checked sizes, byte ranges contiguous and in order, starting at 0 and
/// ending exactly at the end of the file, each range equal to prod(shape) x dtype size.
/// </summary>
internal static class SafetensorsHeader
{
    internal sealed record Entry(string Name, ScalarType Type, long[] Shape, long Begin, long End);

    internal static List<Entry> Parse(string path, byte[] file, out Dictionary<string, string> metadata, out long dataStart)
    {
        CheckpointException Bad(string what) => new($"{path}: {what}; the file is corrupt or not a safetensors checkpoint");
        if (file.Length < 8) throw Bad($"only {file.Length} bytes, shorter than the 8-byte header length");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(file);
        if (n > Safetensors.MaxHeaderBytes) throw Bad($"header length {n} exceeds the {Safetensors.MaxHeaderBytes}-byte limit");
        if (n + 8 > (ulong)file.Length) throw Bad($"header length {n} runs past the end of the {file.Length}-byte file");
        dataStart = 8 + (long)n;
        var headerBytes = file.AsSpan(8, (int)n);
        try { _ = new UTF8Encoding(false, true).GetString(headerBytes); }
        catch (DecoderFallbackException) { throw Bad("header is not valid UTF-8"); }

        var entries = new List<Entry>();
        metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        JsonDocument doc;
        try
        {
            // Duplicate keys are legal JSON but refused here; scan them first with the reader.
            var reader = new Utf8JsonReader(headerBytes, new JsonReaderOptions { MaxDepth = 8 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw Bad("header is not a JSON object");
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                if (reader.TokenType != JsonTokenType.PropertyName) throw Bad("header JSON is malformed");
                string name = reader.GetString()!;
                if (!names.Add(name)) throw Bad($"duplicate tensor name '{name}'");
                reader.Skip();
            }
            doc = JsonDocument.Parse(file.AsMemory(8, (int)n));
        }
        catch (JsonException e) { throw Bad($"header is not valid JSON ({e.Message.Split('.')[0]})"); }
        catch (InvalidOperationException) { throw Bad("header is not valid JSON (a name holds an invalid \\u escape, e.g. a lone surrogate)"); }

        using (doc)
        {
            try
            {
                foreach (var prop in doc.RootElement.EnumerateObject())
                {
                    if (prop.Name == "__metadata__")
                    {
                        if (prop.Value.ValueKind != JsonValueKind.Object) throw Bad("__metadata__ is not an object");
                        foreach (var m in prop.Value.EnumerateObject())
                        {
                            if (m.Value.ValueKind != JsonValueKind.String) throw Bad($"__metadata__ value '{m.Name}' is not a string");
                            if (!metadata.TryAdd(m.Name, m.Value.GetString()!)) throw Bad($"duplicate __metadata__ key '{m.Name}'");
                        }
                        continue;
                    }
                    entries.Add(ParseEntry(prop, Bad));
                }
            }
            catch (InvalidOperationException)
            {
                // JsonElement.GetString on a string with a lone-surrogate escape; every kind is checked before reading.
                throw Bad("header is not valid JSON (a string holds an invalid \\u escape, e.g. a lone surrogate)");
            }
        }

        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long expected = 0;
        foreach (var e in entries)
        {
            if (e.Begin != expected) throw Bad($"tensor '{e.Name}' starts at byte {e.Begin}, expected {expected} (ranges must be contiguous, in " +
                $"order, without gaps or overlap)");
            expected = e.End;
        }
        long dataLength = file.Length - dataStart;
        if (expected != dataLength) throw Bad($"tensor data ends at byte {expected} but the file holds {dataLength} data bytes");
        return entries;
    }

    private static Entry ParseEntry(JsonProperty prop, Func<string, CheckpointException> bad)
    {
        string name = prop.Name;
        var v = prop.Value;
        if (v.ValueKind != JsonValueKind.Object) throw bad($"entry '{name}' is not an object");
        var fields = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in v.EnumerateObject())
            if (!fields.Add(field.Name)) throw bad($"tensor '{name}' has a duplicate field '{field.Name}'");
        if (!v.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String
            || !SafetensorsDType.TryParse(dt.GetString()!, out var type, out int size))
            throw bad($"tensor '{name}' has a missing or unknown dtype");
        if (!v.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array) throw bad($"tensor '{name}' has no shape array");
        var shape = new List<long>();
        long count = 1;
        foreach (var d in sh.EnumerateArray())
        {
            if (!TryGetNonNegativeInteger(d, out long dim)) throw bad($"tensor '{name}' has a shape entry that is not a non-negative integer");
            try { count = checked(count * dim); } catch (OverflowException) { throw bad($"tensor '{name}' shape overflows"); }
            shape.Add(dim);
        }
        long bytes;
        try { bytes = checked(count * size); } catch (OverflowException) { throw bad($"tensor '{name}' byte size overflows"); }
        if (!v.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw bad($"tensor '{name}' needs data_offsets [begin, end]");
        var o = off.EnumerateArray().ToArray();
        if (!TryGetNonNegativeInteger(o[0], out long begin) || !TryGetNonNegativeInteger(o[1], out long end) || end < begin)
            throw bad($"tensor '{name}' has invalid data_offsets (two non-negative integers, begin <= end)");
        if (end - begin != bytes) throw bad($"tensor '{name}' occupies {end - begin} bytes but its shape x dtype needs {bytes}");
        return new Entry(name, type, [.. shape], begin, end);
    }

    /// <summary>
    /// A JSON integer in [0, long.MaxValue]. Checks the element kind first: <see cref="JsonElement.TryGetInt64"/>
    /// throws (rather than returning false) on a string, array or null.
    /// </summary>
    private static bool TryGetNonNegativeInteger(JsonElement e, out long value)
    {
        value = 0;
        return e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out value) && value >= 0;
    }
}
