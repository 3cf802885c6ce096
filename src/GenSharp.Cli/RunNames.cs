namespace GenSharp.Cli;

/// <summary>Default run names derived from a data spec (toy:mog2 -> mog2, toy:path/my.json -> my, a plain IDX folder -> fashion-mnist).</summary>
public static class RunNames
{
    public static string FromData(string spec)
    {
        if (Directory.Exists(spec)) return "fashion-mnist"; // a plain folder is Fashion-MNIST's IDX files (DataSpec refuses anything else)
        string s = spec.StartsWith("toy:", StringComparison.Ordinal) ? spec[4..] : spec;
        if (s.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) s = Path.GetFileNameWithoutExtension(s);
        var chars = s.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray();
        string name = new string(chars).Trim('-');
        return name.Length == 0 ? "run" : name;
    }
}
