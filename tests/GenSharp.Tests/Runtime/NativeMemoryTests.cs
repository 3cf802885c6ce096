using GenSharp.Runtime;
using static TorchSharp.torch;

namespace GenSharp.Tests.Runtime;

public sealed class NativeMemoryTests
{
    [SkippableFact]
    public void ReleasingFreePagesReturnsABurstOfFreedTensorMemoryToTheOperatingSystem()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "glibc malloc only: not Linux");
        NativeMemory.TuneMalloc();
        const int chunks = 64;
        const long floats = 2 * 1024 * 1024; // 8 MB each, 512 MB in all
        using (var warm = ones(floats)) { } // lets glibc's dynamic mmap threshold rise above the chunk size

        var burst = Enumerable.Range(0, chunks).Select(_ => ones(floats)).ToList(); // touched pages: resident
        long during = ProcessMemory.ResidentBytes()!.Value;
        foreach (var t in burst) t.Dispose();
        long afterFree = ProcessMemory.ResidentBytes()!.Value;
        NativeMemory.ReleaseFreePages();
        long afterRelease = ProcessMemory.ResidentBytes()!.Value;

        double mb = 1024.0 * 1024.0;
        Assert.True(afterFree - afterRelease > 256 * mb,
            $"RSS {during / mb:F0} MB with the burst alive, {afterFree / mb:F0} MB after freeing it, {afterRelease / mb:F0} " +
            $"MB after releasing free pages");
    }
}
