using System.Runtime.CompilerServices;
using GenSharp.Runtime;

namespace GenSharp.Tests;

/// <summary>
/// Gives the test process the run-time settings every command gets from <c>TorchRuntime.Initialize</c>
/// (malloc tuning, passive OpenMP waiting) before the first tensor loads libtorch; otherwise tests on a
/// shared machine run with spinning OpenMP threads and take minutes instead of seconds.
/// </summary>
internal static class TestRuntime
{
    [ModuleInitializer]
    internal static void Initialize()
    {
        NativeMemory.TuneMalloc();
        OpenMpWaitPolicy.Apply();
    }
}
