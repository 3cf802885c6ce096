using System.Runtime.InteropServices;

namespace GenSharp.Tests.Reliability;

/// <summary>FIFOs and symbolic-link loops for the tests of what GenSharp refuses to open or replace.</summary>
internal static class SpecialFiles
{
    public static string Fifo(string path)
    {
        if (MkFifo(path, 0x1B6) != 0) throw new IOException($"mkfifo {path} failed: errno {Marshal.GetLastPInvokeError()}");
        return path;
    }

    /// <summary>a -> b -> a.</summary>
    public static string LinkLoop(string dir)
    {
        string a = Path.Combine(dir, "loop-a"), b = Path.Combine(dir, "loop-b");
        File.CreateSymbolicLink(a, b);
        File.CreateSymbolicLink(b, a);
        return a;
    }

    public static string TempDir() => TestTemp.Directory("gensharp-rel").FullName;

    /// <summary>Names left behind by a failed write (temp files and partial folders).</summary>
    public static string[] Leftovers(string dir) =>
        Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).Where(n => n!.Contains(".tmp-") || n.Contains(".partial-")).ToArray()!;

    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int MkFifo(string path, uint mode);
}
