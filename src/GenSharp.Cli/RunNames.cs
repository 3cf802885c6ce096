namespace GenSharp.Cli;

/// <summary>Default run names derived from a data spec (toy:mog2 -> mog2, toy:path/my.json -> my).</summary>
public static class RunNames
{
    public static string FromData(string spec)
    {
        string s = spec.StartsWith("toy:", StringComparison.Ordinal) ? spec[4..] : spec;
        if (s.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) s = Path.GetFileNameWithoutExtension(s);
        var chars = s.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray();
        string name = new string(chars).Trim('-');
        return name.Length == 0 ? "run" : name;
    }
}
