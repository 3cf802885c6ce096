namespace GenSharp.Training;

/// <summary>
/// What one command holds on run directories: the <see cref="RunLock"/>s it took, and the run folders it created. The CLI
/// opens a session per command (<see cref="Begin"/>, per async flow, so commands run side by side in one process stay
/// apart) and ends it when the command finishes: locks are released, and after a failure a folder this command created is
/// removed again if training never started in it (no checkpoint, no metrics), so a refused option or data check never
/// leaves a folder behind that blocks the name on retry. Without a session (library use) no lock is taken.
/// </summary>
internal sealed class RunSession : IDisposable
{
    private static readonly AsyncLocal<RunSession?> Ambient = new();

    private readonly List<RunLock> _locks = [];
    private readonly List<RunDirectory> _fresh = [];
    private readonly RunSession? _outer;

    private RunSession(RunSession? outer) => _outer = outer;

    /// <summary>Set by a command that failed before returning, so <see cref="Dispose"/> cleans up its fresh folders.</summary>
    public bool Failed { get; set; } = true;

    /// <summary>The session of the running command, or null.</summary>
    public static RunSession? Current => Ambient.Value;

    /// <summary>Starts a session for the command about to run on this async flow.</summary>
    public static RunSession Begin()
    {
        var session = new RunSession(Ambient.Value);
        Ambient.Value = session;
        return session;
    }

    /// <summary>Takes the run's lock when a command session is open.</summary>
    internal static void LockIfInSession(string root)
    {
        if (Current is { } s) s._locks.Add(RunLock.Acquire(root));
    }

    internal static void Created(RunDirectory run) => Current?._fresh.Add(run);

    /// <summary>Removes the fresh run folders nothing was trained in (if <see cref="Failed"/>), then releases every lock.</summary>
    public void Dispose()
    {
        if (Failed)
            foreach (var run in _fresh.Where(NeverTrained))
                try { Directory.Delete(run.Root, recursive: true); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        _fresh.Clear();
        foreach (var l in _locks) l.Dispose();
        _locks.Clear();
        Ambient.Value = _outer;
    }

    private static bool NeverTrained(RunDirectory run) =>
        Directory.Exists(run.Root)
        && !(Directory.Exists(run.CheckpointsDir) && Directory.EnumerateFileSystemEntries(run.CheckpointsDir).Any())
        && !(File.Exists(run.MetricsPath) && new FileInfo(run.MetricsPath).Length > 0);
}
