using System.Reflection;
using TorchSharp;

namespace GenSharp.Runtime;

/// <summary>
/// Process-wide start-up of the tensor engine: allocator tuning, thread count and device selection.
/// Every command calls <see cref="Initialize"/> once, before the first tensor is made.
/// </summary>
public static class TorchRuntime
{
    /// <summary>Tunes malloc and OpenMP waiting, sets the thread count and resolves the device, with clear errors.</summary>
    public static torch.Device Initialize(ComputeOptions options)
    {
        NativeMemory.TuneMalloc();
        if (options.Threads < 0)
            throw new ConfigException($"--threads {options.Threads}: must be 0 (all cores) or a positive count");
        if (options.Threads > Limits.MaxThreads)
            throw new ConfigException($"--threads {options.Threads}: at most {Limits.MaxThreads} (4 per core, {Environment.ProcessorCount} cores)");
        OpenMpWaitPolicy.ApplyFor(options.Threads);
        if (options.Threads > 0)
            torch.set_num_threads(options.Threads);
        return ResolveDevice(options.Device);
    }

    /// <summary>Parses and checks a device name; CUDA without a CUDA build or GPU is a clear error.</summary>
    public static torch.Device ResolveDevice(string name)
    {
        string n = name.Trim().ToLowerInvariant();
        if (n == "cpu") return torch.CPU;
        if (n == "cuda" || n.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!torch.cuda.is_available())
                throw new DeviceException(
                    $"--device {name}: CUDA is not available here (this build uses libtorch-cpu or no GPU was found); " +
                    "use --device cpu, or reference the libtorch-cuda package on a machine with an NVIDIA GPU");
            int index = 0;
            if (n.Length > 5 && (!int.TryParse(n[5..], out index) || index < 0 || index >= torch.cuda.device_count()))
                throw new DeviceException($"--device {name}: no such CUDA device (found {torch.cuda.device_count()})");
            return new torch.Device(DeviceType.CUDA, index);
        }
        throw new ConfigException($"--device {name}: unknown device; use cpu or cuda[:N]");
    }

    /// <summary>GenSharp's own version (assembly informational version).</summary>
    public static string GenSharpVersion =>
        typeof(TorchRuntime).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0]
        ?? typeof(TorchRuntime).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>TorchSharp's managed assembly version.</summary>
    public static string TorchSharpVersion =>
        typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0]
        ?? typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>The native libtorch version.</summary>
    public static string LibTorchVersion => torch.__version__;
}
