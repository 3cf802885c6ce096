using System.CommandLine;

namespace GenSharp.Cli.Commands;

/// <summary><c>gensharp lab &lt;experiment&gt;</c>: the course's theory as small numerical experiments; one sub-command per lab.</summary>
public static class LabCommand
{
    public static Command Build()
    {
        var command = new Command("lab", "Numerical experiments that check the theory against closed forms and draw the figures.\n\n" +
            "Examples:\n  gensharp lab divergences\n  gensharp lab dirac-gan --loss ns --h 0.1 --steps 300 --json");
        command.Subcommands.Add(LabDivergencesCommand.Build());
        command.Subcommands.Add(LabDiracGanCommand.Build());
        return command;
    }
}
