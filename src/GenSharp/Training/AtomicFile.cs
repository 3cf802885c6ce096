namespace GenSharp.Training;

/// <summary>
/// Writes a file so that readers see either the old content or the complete new content, never a
/// half-written file: write to a temp file in the same folder, fsync, rename over the target, then
/// fsync the folder (best effort). The temp file is removed if writing fails. Only a missing or regular file is replaced
/// (<see cref="Files.OutputTarget"/>): never a device, FIFO, socket, folder or symbolic link.
/// </summary>
internal static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full)!;
        Files.OutputTarget.RequireReplaceableFile(full);
        Directory.CreateDirectory(dir);
        string tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            using (var stream = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            Files.OutputTarget.RequireReplaceableFile(full); // again: it may have changed while we wrote
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
        FsyncDirectory(dir);
    }

    /// <summary>Writes all bytes atomically.</summary>
    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, s => s.Write(bytes));

    /// <summary>Writes UTF-8 text atomically.</summary>
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));

    private static void FsyncDirectory(string dir)
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            using var handle = File.OpenHandle(dir, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.None);
            RandomAccess.FlushToDisk(handle);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            // best effort: some filesystems refuse to open directories
        }
    }
}
