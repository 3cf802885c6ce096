using System.Globalization;
using static TorchSharp.torch;

namespace GenSharp.Runtime;

/// <summary>What a run records about where it was created: versions, device, threads, time.</summary>
public static class RunEnvironment
{
    public static Dictionary<string, string> Capture(Device device) => new()
    {
        ["gensharp"] = TorchRuntime.GenSharpVersion,
        ["torchsharp"] = TorchRuntime.TorchSharpVersion,
        ["libtorch"] = TorchRuntime.LibTorchVersion,
        ["device"] = device.ToString(),
        ["threads"] = get_num_threads().ToString(CultureInfo.InvariantCulture),
        ["created_utc"] = DateTime.UtcNow.ToString("O"),
    };
}
