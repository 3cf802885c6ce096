using System.CommandLine;
using GenSharp.Cli.Commands;

namespace GenSharp.Cli;

public static class Program
{
    public static int Main(string[] args) => Run(args);

    /// <summary>Builds the command tree and runs it; user errors become one line and an exit code.</summary>
    public static int Run(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        var root = BuildRoot();
        var config = new InvocationConfiguration
        {
            Output = stdout ?? Console.Out,
            Error = stderr ?? Console.Error,
            EnableDefaultExceptionHandler = false,
        };
        try
        {
            return root.Parse(args).Invoke(config);
        }
        catch (GenSharpException e)
        {
            (stderr ?? Console.Error).WriteLine($"error: {e.Message}");
            return e.ExitCode;
        }
    }

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand(
            "GenSharp: train, sample, evaluate and compare deep generative models (diffusion, score-based, GANs, VAEs).\n\n" +
            "Examples:\n" +
            "  gensharp info\n" +
            "  gensharp demo --out runs/demo\n" +
            "  gensharp train ddpm --data toy:mog2 --steps 3000\n" +
            "  gensharp sample runs/ddpm-mog2 --n 2000 --seed 1\n" +
            "  gensharp eval runs/ddpm-mog2");
        foreach (var command in CommandRegistry.All())
            root.Subcommands.Add(command);
        SubcommandHelp.Install(root);
        return root;
    }
}
