using System.Collections.Concurrent;

namespace GenSharp.Tests;

/// <summary>
/// The tests' temporary folders: made like <see cref="Directory.CreateTempSubdirectory"/> (a new, uniquely named folder under the
/// system's temp folder) and removed when the test run ends (<see cref="CleaningTestFramework"/>; at process exit as well), so that a run
/// of the suite leaves nothing behind (runs, packs and feeds add up to gigabytes). Set GENSHARP_KEEP_TEST_TEMP=1 to keep them for a
/// look after a failure.
/// </summary>
internal static class TestTemp
{
    private static readonly ConcurrentBag<string> Made = [];

    static TestTemp() => AppDomain.CurrentDomain.ProcessExit += (_, _) => RemoveAll();

    /// <summary>A new empty folder named <paramref name="prefix"/> plus a random suffix, removed at exit.</summary>
    public static DirectoryInfo Directory(string prefix)
    {
        var made = System.IO.Directory.CreateTempSubdirectory(prefix);
        Made.Add(made.FullName);
        return made;
    }

    /// <summary>Removes every folder made so far (those still held open by a child process stay).</summary>
    public static void RemoveAll()
    {
        if (Environment.GetEnvironmentVariable("GENSHARP_KEEP_TEST_TEMP") == "1") return;
        while (Made.TryTake(out string? folder))
        {
            try
            {
                if (System.IO.Directory.Exists(folder)) System.IO.Directory.Delete(folder, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // a file still held open by a child process: leave this one, remove the rest
            }
        }
    }
}
