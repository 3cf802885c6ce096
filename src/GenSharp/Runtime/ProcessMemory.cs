namespace GenSharp.Runtime;

/// <summary>The process's resident memory, for checks that native (libtorch) memory stays flat.</summary>
internal static class ProcessMemory
{
    /// <summary>Resident set size in bytes (VmRSS of /proc/self/status), or null where that file does not exist.</summary>
    public static long? ResidentBytes()
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path)) return null;
        foreach (string line in File.ReadLines(path))
        {
            if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
            var parts = line["VmRSS:".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) * 1024; // kB
        }
        return null;
    }
}
