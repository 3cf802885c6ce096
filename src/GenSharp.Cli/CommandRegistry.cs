using System.CommandLine;
using GenSharp.Cli.Commands;

namespace GenSharp.Cli;

/// <summary>Every verb of the command line, in one explicit place. A new verb is one file plus one line here.</summary>
public static class CommandRegistry
{
    public static IEnumerable<Command> All()
    {
        yield return InfoCommand.Build();
        yield return DemoCommand.Build();
        yield return TrainCommand.Build();
        yield return SampleCommand.Build();
        yield return InterpolateCommand.Build();
        yield return InvertCommand.Build();
        yield return EvalCommand.Build();
        yield return ExportCommand.Build();
        yield return CompareCommand.Build();
        yield return BenchCommand.Build();
        yield return LabCommand.Build();
        yield return DataCommand.Build();
    }
}
