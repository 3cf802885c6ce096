using System.Text;
using System.Text.Json;

namespace GenSharp.Training;

/// <summary>
/// <c>metrics.jsonl</c>: one JSON object per line (step, losses, learning rate, wall time, samples/s, ...).
/// Every line is flushed as it is written, so a killed run keeps what it logged. On resume,
/// <see cref="TruncateAfter"/> drops lines logged after the checkpoint so the curve continues cleanly.
/// </summary>
public sealed class MetricsLog
{
    public MetricsLog(string path) => Path = path;

    public string Path { get; }

    /// <summary>Appends one record.</summary>
    public void Append(IReadOnlyDictionary<string, object?> record)
    {
        string line = JsonSerializer.Serialize(record, JsonDefaults.Compact);
        using var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read);
        var bytes = Encoding.UTF8.GetBytes(line + "\n");
        stream.Write(bytes);
        stream.Flush(flushToDisk: false);
    }

    /// <summary>Reads all records (lines that do not parse, e.g. a half-written last line, are skipped).</summary>
    public IReadOnlyList<JsonElement> ReadAll()
    {
        var result = new List<JsonElement>();
        if (!File.Exists(Path)) return result;
        foreach (string line in File.ReadLines(Path))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                using var doc = JsonDocument.Parse(line);
                result.Add(doc.RootElement.Clone());
            }
            catch (JsonException)
            {
                // a torn final line from a killed process
            }
        }
        return result;
    }

    /// <summary>Keeps only records whose "step" is at most <paramref name="step"/> (rewritten atomically).</summary>
    public void TruncateAfter(long step)
    {
        if (!File.Exists(Path)) return;
        var kept = new StringBuilder();
        foreach (var record in ReadAll())
        {
            if (record.TryGetProperty("step", out var s) && s.TryGetInt64(out long v) && v > step) continue;
            kept.Append(record.GetRawText()).Append('\n');
        }
        AtomicFile.Write(Path, stream => stream.Write(Encoding.UTF8.GetBytes(kept.ToString())));
    }

    /// <summary>The values of a numeric field with their steps, for plotting.</summary>
    public (double[] Steps, double[] Values) Series(string field) => Series("step", field);

    /// <summary>The values of a numeric field against another (e.g. <c>epoch</c>), from the records that hold both.</summary>
    public (double[] X, double[] Values) Series(string xField, string field)
    {
        var xs = new List<double>();
        var values = new List<double>();
        foreach (var r in ReadAll())
        {
            if (r.TryGetProperty(xField, out var x) && x.ValueKind == JsonValueKind.Number && r.TryGetProperty(field, out var v)
                && v.ValueKind == JsonValueKind.Number)
            {
                xs.Add(x.GetDouble());
                values.Add(v.GetDouble());
            }
        }
        return (xs.ToArray(), values.ToArray());
    }
}
