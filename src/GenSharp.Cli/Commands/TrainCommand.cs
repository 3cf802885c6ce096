using System.CommandLine;
using GenSharp.Diffusion;
using GenSharp.Diffusion.Toy;
using GenSharp.Nn;
using GenSharp.Runtime;
using GenSharp.Training;

namespace GenSharp.Cli.Commands;

/// <summary><c>gensharp train &lt;family&gt;</c>: one sub-command per model family.</summary>
public static class TrainCommand
{
    public static Command Build()
    {
        var command = new Command("train", "Train a model; writes runs/NAME/ (config.json, metrics.jsonl, checkpoints/, samples/, plots/, " +
            "report.html).\n\n" +
            "Examples:\n  gensharp train ddpm --data toy:mog2\n  gensharp train ddpm --data fashion-mnist --threads 2\n" +
            "  gensharp train ncsn --data fashion-mnist --threads 2\n  gensharp train ddpm --data toy:my-mixture.json --steps 8000 --name mine\n" +
            "  gensharp train ddpm --name mine --resume");
        command.Subcommands.Add(TrainDdpmCommand.Build());
        command.Subcommands.Add(TrainGanCommand.Build());
        command.Subcommands.Add(TrainVaeCommand.Build());
        command.Subcommands.Add(TrainNcsnCommand.Build());
        command.Subcommands.Add(TrainVdmCommand.Build());
        command.Subcommands.Add(TrainLdmCommand.Build());
        return command;
    }
}
