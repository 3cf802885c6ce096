using System.Globalization;
using System.Runtime.InteropServices;

namespace GenSharp.Runtime;

/// <summary>
/// OpenMP thread waiting. libtorch's CPU kernels run on libgomp threads, which by default spin for a while
/// (GOMP_SPINCOUNT, 300,000 iterations) at the end of each parallel region before they sleep. Measured on the
/// reference U-Net training step (2 threads, this 2-core machine):
///   - cores free: spinning is ~10 % faster than passive waiting (0.45-0.46 s vs 0.49-0.51 s), because a
///     sleeping thread needs a futex wake-up at every one of the step's thousands of parallel regions;
///   - cores busy with another job: spinning burns the core its descheduled partner needs, and the step time
///     explodes (one other job: 1.5-1.8 s with libgomp's default spin count vs 0.92-0.94 s passive; load 15-20:
///     6-15 s vs 2-4 s).
/// So the policy is chosen when the process starts (libgomp reads it once, when libtorch loads): libgomp's
/// default when at least as many cores as threads are idle, <c>OMP_WAIT_POLICY=PASSIVE</c> otherwise. Idle
/// cores are measured from <c>/proc/stat</c> over 100 ms. The user's own <c>OMP_WAIT_POLICY</c> or
/// <c>GOMP_SPINCOUNT</c> always wins; <c>GENSHARP_OMP_WAIT=spin|passive|auto</c> forces GenSharp's choice.
/// </summary>
internal static class OpenMpWaitPolicy
{
    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv(
        [MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);

    /// <summary>The policy in effect for libgomp if it is loaded after this call, with the reason.</summary>
    public static string? Applied { get; private set; }

    /// <summary>Passive waiting unless the user chose a policy (the test assembly's setting: tests share the machine).</summary>
    public static void Apply() => Set(passive: true, "passive");

    /// <summary>
    /// Chooses the policy for <paramref name="threads"/> OpenMP threads (0 = one per core): libgomp's default
    /// (spin, then sleep) when that many cores are idle now, passive otherwise; see the class remarks.
    /// </summary>
    public static void ApplyFor(int threads)
    {
        if (Applied is not null || !OperatingSystem.IsLinux()) return;
        int cores = Environment.ProcessorCount;
        int wanted = threads > 0 ? Math.Min(threads, cores) : cores;
        switch (Environment.GetEnvironmentVariable("GENSHARP_OMP_WAIT")?.Trim().ToLowerInvariant())
        {
            case "spin": Set(passive: false, "spin (GENSHARP_OMP_WAIT)"); return;
            case "passive": Set(passive: true, "passive (GENSHARP_OMP_WAIT)"); return;
        }
        double? idle = IdleCores(TimeSpan.FromMilliseconds(100));
        bool spin = idle is double free && Decide(free, wanted);
        Set(passive: !spin, idle is double f
            ? $"{(spin ? "spin" : "passive")} ({f.ToString("F1", CultureInfo.InvariantCulture)} of {cores} cores idle at start-up, {wanted} threads)"
            : "passive (idle cores unknown)");
    }

    /// <summary>Spin only when every thread can have an idle core to itself (a quarter-core of slack for noise).</summary>
    public static bool Decide(double idleCores, int threads) => idleCores >= threads - 0.25;

    /// <summary>Idle cores averaged over <paramref name="window"/> from the aggregate <c>cpu</c> line of /proc/stat.</summary>
    public static double? IdleCores(TimeSpan window)
    {
        var before = ReadCpuTicks();
        if (before is null) return null;
        Thread.Sleep(window);
        var after = ReadCpuTicks();
        return after is null ? null : IdleCores(before.Value, after.Value, Environment.ProcessorCount);
    }

    /// <summary>Idle cores between two readings of (total, idle + iowait) ticks.</summary>
    public static double? IdleCores((long Total, long Idle) before, (long Total, long Idle) after, int cores)
    {
        long total = after.Total - before.Total, idle = after.Idle - before.Idle;
        return total <= 0 ? null : cores * Math.Clamp((double)idle / total, 0, 1);
    }

    /// <summary>Parses the aggregate line "cpu user nice system idle iowait irq softirq steal ..." of /proc/stat.</summary>
    public static (long Total, long Idle)? ParseCpuLine(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 5 || parts[0] != "cpu") return null;
        long total = 0;
        var values = new long[parts.Length - 1];
        for (int i = 1; i < parts.Length; i++)
        {
            if (!long.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out values[i - 1])) return null;
            if (i <= 8) total += values[i - 1]; // user..steal; guest times are already inside user/nice
        }
        long idle = values[3] + (values.Length > 4 ? values[4] : 0);
        return (total, idle);
    }

    private static (long Total, long Idle)? ReadCpuTicks()
    {
        try
        {
            using var reader = new StreamReader("/proc/stat");
            return reader.ReadLine() is string line ? ParseCpuLine(line) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void Set(bool passive, string reason)
    {
        if (Applied is not null || !OperatingSystem.IsLinux()) return;
        string? user = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY");
        string? spinCount = Environment.GetEnvironmentVariable("GOMP_SPINCOUNT");
        if (user is not null || spinCount is not null)
        {
            Applied = user is not null ? $"OMP_WAIT_POLICY={user} (user)" : $"GOMP_SPINCOUNT={spinCount} (user)";
            return;
        }
        if (!passive)
        {
            Applied = reason;
            return;
        }
        try
        {
            SetEnv("OMP_WAIT_POLICY", "PASSIVE", 0);
            Applied = reason;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            Applied = "libgomp default (no libc setenv)";
        }
    }
}
