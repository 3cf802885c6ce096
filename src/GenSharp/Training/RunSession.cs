namespace GenSharp.Training;

/// <summary>
/// What one command holds on run directories: the <see cref="RunLock"/>s it took, and the run folders it created. The CLI
/// calls <see cref="End"/> when the command finishes: locks are released, and after a failure a folder this command created
/// is removed again if training never started in it (no checkpoint, no metrics), so a refused option or data check never
/// leaves a folder behind that blocks the name on retry.
/// </summary>
public static class RunSession
{
    private static readonly List<RunLock> Locks = [];
    private static readonly List<RunDirectory> Fresh = [];
    private static readonly Lock Gate = new();

    internal static void Hold(RunLock runLock)
    {
        lock (Gate) Locks.Add(runLock);
    }

    internal static void Created(RunDirectory run)
    {
        lock (Gate) Fresh.Add(run);
    }

    /// <summary>Releases every lock; when <paramref name="failed"/>, first removes the fresh run folders nothing was trained in.</summary>
    public static void End(bool failed)
    {
        lock (Gate)
        {
            if (failed)
                foreach (var run in Fresh.Where(NeverTrained))
                    try { Directory.Delete(run.Root, recursive: true); }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            Fresh.Clear();
            foreach (var l in Locks) l.Dispose();
            Locks.Clear();
        }
    }

    private static bool NeverTrained(RunDirectory run) =>
        Directory.Exists(run.Root)
        && !(Directory.Exists(run.CheckpointsDir) && Directory.EnumerateFileSystemEntries(run.CheckpointsDir).Any())
        && !(File.Exists(run.MetricsPath) && new FileInfo(run.MetricsPath).Length > 0);
}
