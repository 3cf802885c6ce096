using System.Buffers.Binary;
using System.Text;

namespace GenSharp.Tests.Runtime;

/// <summary>
/// The build marks libLibTorchSharp.so's GLIBCXX_3.4.32 version need weak (build/LibTorchSharpWeakVersion.targets,
/// DEVELOPERS.md). This reads the copy in the test output folder with its own small ELF reader (not the
/// patcher's code) and checks the flag.
/// </summary>
public sealed class LibTorchSharpPatchTests
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 2;

    [SkippableFact]
    public void TheGlibcxx3432VersionNeedOfLibTorchSharpInTheOutputFolderIsMarkedWeak()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "ELF and glibc only: not Linux");
        string path = Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so");
        Assert.True(File.Exists(path), $"{path} is missing from the test output folder");
        var needs = VersionNeeds(File.ReadAllBytes(path));
        Assert.Contains(needs, n => n.Name == "GLIBCXX_3.4.30"); // the reader found the libstdc++ needs
        var (_, _, flags) = Assert.Single(needs, n => n.Name == "GLIBCXX_3.4.32");
        Assert.Equal(VerFlgWeak, (ushort)(flags & VerFlgWeak));
    }

    [SkippableFact]
    public void TheElfReaderSeesTheUnpatchedFlagInTheNuGetOriginal()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "ELF and glibc only: not Linux");
        string home = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string original = Path.Combine(home, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Skip.IfNot(File.Exists(original), $"no NuGet original at {original} (another package cache layout): nothing to compare with");
        var needs = VersionNeeds(File.ReadAllBytes(original));
        var (_, _, flags) = Assert.Single(needs, n => n.Name == "GLIBCXX_3.4.32");
        Assert.Equal(0, flags & VerFlgWeak); // the build never patches the cache
    }

    /// <summary>(library, version name, vna_flags) of every Vernaux entry in the SHT_GNU_verneed sections of a little-endian ELF64 file.</summary>
    internal static List<(string File, string Name, ushort Flags)> VersionNeeds(byte[] b)
    {
        var span = b.AsSpan();
        Assert.True(b.Length > 64 && span[..4].SequenceEqual("\u007fELF"u8) && b[4] == 2 && b[5] == 1, "not a little-endian ELF64 file");
        long shoff = BinaryPrimitives.ReadInt64LittleEndian(span[0x28..]);
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3A..]);
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3C..]);
        int Section(int i) => checked((int)(shoff + (long)i * shentsize));
        string Str(long at)
        {
            int end = Array.IndexOf(b, (byte)0, checked((int)at));
            return Encoding.ASCII.GetString(b, (int)at, end - (int)at);
        }

        var result = new List<(string, string, ushort)>();
        for (int i = 0; i < shnum; i++)
        {
            var sh = span[Section(i)..];
            if (BinaryPrimitives.ReadUInt32LittleEndian(sh[4..]) != ShtGnuVerneed) continue;
            long offset = BinaryPrimitives.ReadInt64LittleEndian(sh[0x18..]);
            int link = (int)BinaryPrimitives.ReadUInt32LittleEndian(sh[0x28..]);
            long strtab = BinaryPrimitives.ReadInt64LittleEndian(span[(Section(link) + 0x18)..]);
            // Elf64_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32
            for (long vn = offset; ;)
            {
                var need = span[checked((int)vn)..];
                int count = BinaryPrimitives.ReadUInt16LittleEndian(need[2..]);
                string file = Str(strtab + BinaryPrimitives.ReadUInt32LittleEndian(need[4..]));
                long va = vn + BinaryPrimitives.ReadUInt32LittleEndian(need[8..]);
                // Elf64_Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32
                for (int k = 0; k < count; k++)
                {
                    var aux = span[checked((int)va)..];
                    result.Add((file, Str(strtab + BinaryPrimitives.ReadUInt32LittleEndian(aux[8..])),
                        BinaryPrimitives.ReadUInt16LittleEndian(aux[4..])));
                    uint nextAux = BinaryPrimitives.ReadUInt32LittleEndian(aux[12..]);
                    if (nextAux == 0) break;
                    va += nextAux;
                }
                uint next = BinaryPrimitives.ReadUInt32LittleEndian(need[12..]);
                if (next == 0) break;
                vn += next;
            }
        }
        return result;
    }
}
