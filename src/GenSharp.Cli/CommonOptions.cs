using System.CommandLine;
using GenSharp.Runtime;

namespace GenSharp.Cli;

/// <summary>Options every compute command shares: <c>--device</c> and <c>--threads</c>.</summary>
public sealed class CommonOptions
{
    public Option<string> Device { get; } = new("--device")
    {
        Description = "Compute device: cpu, cuda or cuda:N",
        DefaultValueFactory = _ => "cpu",
    };

    public Option<int> Threads { get; } = new("--threads")
    {
        Description = "Intra-op threads (0 = all cores)",
        DefaultValueFactory = _ => 0,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Device);
        command.Options.Add(Threads);
    }

    public ComputeOptions Read(ParseResult result) =>
        new(result.GetValue(Device) ?? "cpu", result.GetValue(Threads));
}
