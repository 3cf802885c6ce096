using System.Globalization;
using GenSharp.Runtime;
using TorchSharp;

namespace GenSharp.Training;

/// <summary>The environment a run records in its config.json at creation: versions, device, threads, time.</summary>
public static class RunEnvironment
{
    public static Dictionary<string, string> Capture(torch.Device device) => new()
    {
        ["gensharp"] = TorchRuntime.GenSharpVersion,
        ["torchsharp"] = TorchRuntime.TorchSharpVersion,
        ["libtorch"] = TorchRuntime.LibTorchVersion,
        ["device"] = device.ToString(),
        ["threads"] = torch.get_num_threads().ToString(CultureInfo.InvariantCulture),
        ["created_utc"] = DateTime.UtcNow.ToString("O"),
    };
}
