using System.CommandLine;

namespace GenSharp.Cli.Commands;

/// <summary><c>gensharp lab &lt;experiment&gt;</c>: self-contained experiments and calculators from the course, one sub-command each.</summary>
public static class LabCommand
{
    public static Command Build()
    {
        var command = new Command("lab",
            "Experiments and calculators that reproduce the course's figures and formulas, checked against closed forms " +
            "(each writes a report or prints a table).\n\n" +
            "Examples:\n  gensharp lab score-toy --data toy:mog2\n  gensharp lab score-toy --data toy:my-mixture.json --out runs/score-mine\n" +
            "  gensharp lab ncsnv2 --dim 3072 --sigma1 50 --sigmaL 0.01 --T 5\n  gensharp lab divergences\n" +
            "  gensharp lab dirac-gan --loss ns --h 0.1 --steps 300 --json");
        command.Subcommands.Add(LabScoreToyCommand.Build());
        command.Subcommands.Add(LabNcsnv2Command.Build());
        command.Subcommands.Add(LabDivergencesCommand.Build());
        command.Subcommands.Add(LabDiracGanCommand.Build());
        return command;
    }
}
