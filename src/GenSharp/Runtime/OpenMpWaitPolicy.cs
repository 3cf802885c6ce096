using System.Runtime.InteropServices;

namespace GenSharp.Runtime;

/// <summary>
/// OpenMP thread waiting. libtorch's CPU kernels run on libgomp threads, which by default busy-wait
/// (spin) at the end of each parallel region. When the cores are shared with other processes, a spinning
/// thread burns the core its descheduled partner needs, and the step time explodes: measured on the
/// reference U-Net step (2 threads, a loaded 2-core machine) 6-15 s spinning against 3-4 s passive.
/// Passive waiting costs a futex wake-up per parallel region (microseconds), negligible at these sizes.
/// So GenSharp sets <c>OMP_WAIT_POLICY=PASSIVE</c> unless the user chose a policy (<c>OMP_WAIT_POLICY</c>
/// or <c>GOMP_SPINCOUNT</c> in the environment). libgomp reads the variable once, when it is loaded, so
/// this must run before the first tensor operation; it is a no-op afterwards.
/// </summary>
public static class OpenMpWaitPolicy
{
    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);

    /// <summary>The policy in effect for libgomp if it is loaded after this call: the user's, or PASSIVE.</summary>
    public static string? Applied { get; private set; }

    /// <summary>Sets OMP_WAIT_POLICY=PASSIVE in the native environment unless the user set a policy.</summary>
    public static void Apply()
    {
        if (Applied is not null || !OperatingSystem.IsLinux()) return;
        string? user = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY");
        if (user is not null || Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") is not null)
        {
            Applied = user ?? "GOMP_SPINCOUNT";
            return;
        }
        try
        {
            SetEnv("OMP_WAIT_POLICY", "PASSIVE", 0);
            Applied = "PASSIVE";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // no libc setenv: keep the OpenMP default
        }
    }
}
