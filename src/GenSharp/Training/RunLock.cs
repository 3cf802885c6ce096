namespace GenSharp.Training;

/// <summary>
/// One writer per run: <c>train</c> (fresh or <c>--resume</c>) holds an exclusive <c>flock</c> on <c>RUN/.lock</c> for the
/// whole command (.NET takes it for <see cref="FileShare.None"/>; the kernel drops it when the process dies, so a killed run
/// never leaves a stale lock). The holder's PID is written to <c>RUN/.lock.pid</c> for the message a second writer gets.
/// </summary>
internal sealed class RunLock : IDisposable
{
    public const string FileName = ".lock";
    public const string PidFileName = ".lock.pid";

    private readonly FileStream _stream;

    private RunLock(FileStream stream) => _stream = stream;

    /// <summary>Takes the lock of the run at <paramref name="root"/> or throws (exit 2) naming the holder's PID.</summary>
    public static RunLock Acquire(string root)
    {
        string path = Path.Combine(root, FileName);
        var kind = Files.FileKinds.Of(path, followLinks: false);
        if (kind is not (Files.FileKind.Missing or Files.FileKind.Regular))
            throw new ConfigException($"{path}: is {Files.FileKinds.Describe(kind)}; a run's lock must be a regular file, remove it");
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            string holder = ReadHolder(root);
            throw new ConfigException($"run {root} is being written by another gensharp process ({holder}); wait for it to finish or stop it", e);
        }
        var pidPath = Path.Combine(root, PidFileName);
        AtomicFile.WriteAllText(pidPath, $"{Environment.ProcessId}\n");
        return new RunLock(stream);
    }

    private static string ReadHolder(string root)
    {
        try
        {
            string text = File.ReadAllText(Path.Combine(root, PidFileName)).Trim();
            return long.TryParse(text, out long pid) ? $"PID {pid}" : "PID unknown";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "PID unknown";
        }
    }

    public void Dispose() => _stream.Dispose();
}
