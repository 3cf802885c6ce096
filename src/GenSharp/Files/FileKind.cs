using System.Runtime.InteropServices;

namespace GenSharp.Files;

/// <summary>What a path names, read with <c>statx</c> (Linux) before anything opens it: opening a FIFO blocks until a writer
/// appears, and renaming over a device node replaces it.</summary>
internal enum FileKind { Missing, Regular, Directory, SymbolicLink, Fifo, CharacterDevice, BlockDevice, Socket, SymbolicLinkLoop, Other }

/// <summary>Reads the <see cref="FileKind"/> of a path without opening it.</summary>
internal static partial class FileKinds
{
    private const int AtFdCwd = -100, AtSymlinkNoFollow = 0x100, StatxType = 1, ENOENT = 2, ENOTDIR = 20, ELOOP = 40;

    /// <summary>The kind of <paramref name="path"/>; <paramref name="followLinks"/> false describes a symbolic link itself.</summary>
    public static FileKind Of(string path, bool followLinks = true)
    {
        if (!OperatingSystem.IsLinux()) return Portable(path, followLinks);
        Span<byte> buffer = stackalloc byte[256]; // struct statx is 256 bytes on every Linux architecture
        int rc = Statx(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, StatxType, ref MemoryMarshal.GetReference(buffer));
        if (rc != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno switch
            {
                ENOENT or ENOTDIR => FileKind.Missing,
                ELOOP => FileKind.SymbolicLinkLoop,
                _ => Portable(path, followLinks),
            };
        }
        int mode = BitConverter.ToUInt16(buffer[28..30]) & 0xF000; // stx_mode
        return mode switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0xA000 => FileKind.SymbolicLink,
            0x1000 => FileKind.Fifo,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            0xC000 => FileKind.Socket,
            _ => FileKind.Other,
        };
    }

    /// <summary>"a FIFO (named pipe)", "a character device", ... for messages.</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Missing => "missing",
        FileKind.Regular => "a regular file",
        FileKind.Directory => "a folder",
        FileKind.SymbolicLink => "a symbolic link",
        FileKind.Fifo => "a FIFO (named pipe)",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Socket => "a socket",
        FileKind.SymbolicLinkLoop => "a loop of symbolic links",
        _ => "not a regular file",
    };

    private static FileKind Portable(string path, bool followLinks)
    {
        var info = new FileInfo(path);
        if (!followLinks && info.LinkTarget is not null) return FileKind.SymbolicLink;
        if (Directory.Exists(path)) return FileKind.Directory;
        return File.Exists(path) ? FileKind.Regular : FileKind.Missing;
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, ref byte buffer);
}
