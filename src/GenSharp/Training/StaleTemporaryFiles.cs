using System.Globalization;
using System.Text.RegularExpressions;

namespace GenSharp.Training;

/// <summary>
/// Removes what a killed process left half-written in a run directory: <see cref="AtomicFile"/>'s temporary files
/// (<c>.NAME.tmp-PID-GUID</c>, e.g. a checkpoint that was being written) and partial sample folders (<c>NAME.partial-PID</c>).
/// Entries of a process that is still alive (other than this one) are left alone.
/// </summary>
internal static partial class StaleTemporaryFiles
{
    /// <summary>Deletes the stale entries under the run's folder; returns how many were removed.</summary>
    public static int Remove(RunDirectory run)
    {
        if (!Directory.Exists(run.Root)) return 0;
        int removed = 0;
        foreach (string path in Directory.EnumerateFileSystemEntries(run.Root, "*", SearchOption.AllDirectories).ToList())
        {
            var m = Pattern().Match(Path.GetFileName(path));
            if (!m.Success || IsOtherLiveProcess(m.Groups["pid"].Value)) continue;
            try
            {
                if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
                else if (File.Exists(path)) File.Delete(path);
                else continue;
                removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new GenSharpException($"cannot remove the stale temporary file {path} ({e.Message}); delete it by hand and resume again");
            }
        }
        return removed;
    }

    private static bool IsOtherLiveProcess(string pidText)
    {
        if (!int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) return false;
        return pid != Environment.ProcessId && OperatingSystem.IsLinux() && Directory.Exists($"/proc/{pid}");
    }

    [GeneratedRegex(@"^(\..+\.tmp-(?<pid>\d+)-[0-9a-f]{32}|.+\.partial-(?<pid>\d+))$")]
    private static partial Regex Pattern();
}
