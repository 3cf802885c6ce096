using System.Text.Json;

namespace GenSharp.Training;

/// <summary>
/// The values of one metrics.jsonl window (the steps since the last logged step): per name, the sum and count of what
/// was reported, so a record holds their means. A name reported as null (not measured) logs null. Saved in every
/// checkpoint, so that a resumed run logs the same means at the same steps as one never interrupted.
/// </summary>
internal sealed class LogWindow
{
    private readonly List<Entry> _entries = [];

    public bool IsEmpty => _entries.Count == 0;

    /// <summary>Adds one value of <paramref name="name"/> (null: not measured this time).</summary>
    public void Add(string name, double? value)
    {
        var entry = _entries.Find(e => e.Name == name);
        if (entry is null) _entries.Add(entry = new Entry { Name = name });
        if (value is double v) entry.Sum += v;
        else entry.Missing = true;
        entry.Count++;
    }

    /// <summary>The mean of every name in the order first reported (null where a value was not measured).</summary>
    public IEnumerable<KeyValuePair<string, double?>> Means() =>
        _entries.Select(e => new KeyValuePair<string, double?>(e.Name, e.Missing || e.Count == 0 ? null : e.Sum / e.Count));

    public double? Mean(string name) => Means().FirstOrDefault(m => m.Key == name).Value;

    public void Clear() => _entries.Clear();

    public string ToJson() => JsonSerializer.Serialize(_entries);

    /// <summary>Replaces the content with a window saved by <see cref="ToJson"/>; a missing or unreadable one leaves it empty.</summary>
    public void Restore(string? json)
    {
        _entries.Clear();
        if (json is null) return;
        try
        {
            var entries = JsonSerializer.Deserialize<List<Entry>>(json);
            if (entries is not null && entries.All(e => e is not null && e.Name is not null && e.Count >= 0))
                _entries.AddRange(entries);
        }
        catch (JsonException)
        {
            // a checkpoint without a readable window logs the first window after resume from the checkpoint's step only
        }
    }

    private sealed class Entry
    {
        public string Name { get; set; } = "";
        public double Sum { get; set; }
        public int Count { get; set; }
        public bool Missing { get; set; }
    }
}
