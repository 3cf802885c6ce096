namespace GenSharp.Files;

/// <summary>
/// Checks a path GenSharp is about to read (checkpoint, data file, mixture JSON, CSV, PNG) before opening it: symbolic links
/// are followed, and what they end at must be a regular file. A FIFO, device, socket, folder or link loop is refused at
/// once with a one-line error (exit 2) instead of blocking on open or reading without end.
/// </summary>
internal static class InputFile
{
    /// <summary>Throws <paramref name="error"/>'s exception unless <paramref name="path"/> is (a link to) a regular file.</summary>
    public static void Require(string path, Func<string, GenSharpException> error)
    {
        var kind = FileKinds.Of(path);
        if (kind == FileKind.Regular) return;
        throw error(kind == FileKind.Missing ? $"{path}: file not found" : $"{path}: is {FileKinds.Describe(kind)}, not " +
            $"a regular file; give a file");
    }

    /// <summary><see cref="Require"/> for data files (<see cref="DataFileException"/>).</summary>
    public static void RequireData(string path) => Require(path, m => new DataFileException(m));

    /// <summary><see cref="Require"/> for checkpoints and weights (<see cref="CheckpointException"/>).</summary>
    public static void RequireCheckpoint(string path) => Require(path, m => new CheckpointException(m));

    /// <summary>Reads all bytes of a checked data file, refusing more than <paramref name="maxBytes"/>.</summary>
    public static byte[] ReadAllBytes(string path, long maxBytes, Func<string, GenSharpException> error)
    {
        Require(path, error);
        long length = new FileInfo(path).Length;
        if (length > maxBytes) throw error($"{path}: {length} bytes, more than the {maxBytes}-byte limit for this kind of file");
        try { return File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw error($"{path}: cannot read " +
            $"({e.Message.TrimEnd('.')})"); }
    }
}
