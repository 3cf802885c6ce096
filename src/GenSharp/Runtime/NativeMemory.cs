using System.Runtime.InteropServices;

namespace GenSharp.Runtime;

/// <summary>
/// glibc malloc tuning. On CPU, libtorch allocates and frees large activation buffers every step;
/// with glibc's defaults each one is a fresh mmap and the page faults dominate the step time
/// (measured on the reference U-Net step: 0.83-1.27 s default, 0.40-0.44 s tuned). Raising the
/// mmap and trim thresholds keeps freed memory in the heap for reuse. Equivalent to the
/// MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_ and MALLOC_TOP_PAD_ environment variables.
/// </summary>
internal static class NativeMemory
{
    private const int M_TRIM_THRESHOLD = -1;
    private const int M_TOP_PAD = -2;
    private const int M_MMAP_THRESHOLD = -3;

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int param, int value);

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    private static bool _tuned;

    /// <summary>True once <see cref="TuneMalloc"/> has been applied in this process.</summary>
    public static bool Tuned => _tuned;

    /// <summary>Applies the tuning once per process; a no-op off Linux/glibc.</summary>
    public static void TuneMalloc()
    {
        if (_tuned || !OperatingSystem.IsLinux()) return;
        try
        {
            Mallopt(M_MMAP_THRESHOLD, int.MaxValue);
            Mallopt(M_TRIM_THRESHOLD, int.MaxValue);
            Mallopt(M_TOP_PAD, 1 << 30);
            _tuned = true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (e.g. musl): keep the allocator's defaults.
        }
    }

    /// <summary>
    /// Gives the heap's free pages back to the operating system (glibc <c>malloc_trim(0)</c>). With the tuning above the
    /// allocator never trims by itself, so a one-off burst of large buffers (an evaluation sampling batches of 250 between
    /// training steps) would stay resident for the rest of the run; call this after such a burst. Costs a few page faults
    /// when the training step touches its buffers again. A no-op off Linux/glibc.
    /// </summary>
    public static void ReleaseFreePages()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            MallocTrim(0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
    }
}
