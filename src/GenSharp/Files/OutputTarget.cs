namespace GenSharp.Files;

/// <summary>
/// What GenSharp may replace. A file output is written beside its target and renamed over it, so the target must be
/// missing or a regular file: a device, FIFO, socket or folder is never replaced, and neither is a symbolic link (GenSharp
/// neither writes through a link nor swaps it for a file; give the real path). Links in the parent folders are followed as
/// usual. A folder output (a folder of PNGs) must be missing or an empty folder.
/// </summary>
internal static class OutputTarget
{
    /// <summary>Refuses a file target that exists and is not a regular file (exit 2).</summary>
    public static void RequireReplaceableFile(string path)
    {
        var kind = FileKinds.Of(path, followLinks: false);
        if (kind is FileKind.Missing or FileKind.Regular) return;
        throw new ConfigException($"{path}: is {FileKinds.Describe(kind)}; GenSharp only writes new or regular files, " +
            $"so choose another output path");
    }

    /// <summary>Refuses a folder target that exists and is not an empty folder (exit 2).</summary>
    public static void RequireNewFolder(string path)
    {
        var kind = FileKinds.Of(path, followLinks: false);
        if (kind == FileKind.Missing) return;
        if (kind != FileKind.Directory)
            throw new ConfigException(
                $"{path}: is {FileKinds.Describe(kind)}, not a folder; image samples are written as a folder of PNGs, choose another --output");
        if (Directory.EnumerateFileSystemEntries(path).Any())
            throw new ConfigException($"{path}: folder exists and is not empty; choose another --output or remove it");
    }
}
