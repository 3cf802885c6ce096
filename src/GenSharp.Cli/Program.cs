using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using GenSharp.Cli.Commands;

namespace GenSharp.Cli;

public static class Program
{
    /// <summary>Set to 1 to print the stack trace of any error, not only of internal ones.</summary>
    public const string DebugVariable = "GENSHARP_DEBUG";

    public static int Main(string[] args) => Run(args);

    /// <summary>
    /// Builds the command tree and runs it. Every failure is one line on stderr and an exit code:
    /// a command-line mistake (unknown option, a value that does not parse) prints the parser's errors and a
    /// pointer to the verb's help, exit 2; a user error (<see cref="GenSharpException"/>) its message, exit 2
    /// (3 for a missing device); a file-system failure (a folder that cannot be created, a file that cannot
    /// be written) what failed, where, and what to check, exit 2; anything else is a bug: "internal error",
    /// exit 1. <c>GENSHARP_DEBUG=1</c> adds the stack trace.
    /// </summary>
    public static int Run(string[] args, TextWriter? stdout = null, TextWriter? stderr = null) =>
        Execute(BuildRoot(), args, stdout ?? Console.Out, stderr ?? Console.Error);

    /// <summary><see cref="Run"/> on a given command tree (tests use it to reach the handlers).</summary>
    public static int Execute(RootCommand root, string[] args, TextWriter stdout, TextWriter error)
    {
        var config = new InvocationConfiguration
        {
            Output = stdout,
            Error = error,
            EnableDefaultExceptionHandler = false,
        };
        using var session = Training.RunSession.Begin();
        try
        {
            var parse = root.Parse(args);
            if (parse.Action is ParseErrorAction)
                return ParseErrors(parse, error);
            int code = parse.Invoke(config);
            session.Failed = false;
            return code;
        }
        catch (GenSharpException e)
        {
            return Fail(error, e, $"error: {OneLine(e.Message)}", e.ExitCode);
        }
        catch (UnauthorizedAccessException e)
        {
            return Fail(error, e, $"error: permission denied: {Sentence(e.Message)}; choose a location you can write to, or fix its permissions", 2);
        }
        catch (DirectoryNotFoundException e)
        {
            return Fail(error, e, $"error: {Sentence(e.Message)}; check the path: each parent must be an existing folder (not a file or device)", 2);
        }
        catch (IOException e)
        {
            return Fail(error, e, $"error: {Sentence(e.Message)}; check the path (each parent must be a folder, not a file or device), " +
                "permissions and free space", 2);
        }
        catch (Exception e) when (ResourceFailure.Describe(e) is { } what)
        {
            return Fail(error, e, $"error: {what}", 2);
        }
        catch (Exception e)
        {
            return Fail(error, e, $"internal error: {e.GetType().FullName}: {OneLine(NativeMessage.Trim(e.Message))} (please report; rerun with " +
                $"{DebugVariable}=1 for the stack trace)", 1);
        }
    }

    /// <summary>The parser's error lines and one hint, exit 2 (not the whole help text).</summary>
    private static int ParseErrors(ParseResult parse, TextWriter error)
    {
        foreach (var e in parse.Errors) error.WriteLine($"error: {OneLine(ParseErrorText.Clean(e.Message))}");
        error.WriteLine($"see {CommandPath(parse.CommandResult)} --help");
        return 2;
    }

    /// <summary>"gensharp train ddpm" for the command the arguments reached.</summary>
    private static string CommandPath(CommandResult command)
    {
        var names = new List<string>();
        for (SymbolResult? r = command; r is not null; r = r.Parent)
            if (r is CommandResult c && c.Command is not RootCommand) names.Insert(0, c.Command.Name);
        names.Insert(0, "gensharp");
        return string.Join(' ', names);
    }

    private static int Fail(TextWriter error, Exception e, string line, int exitCode)
    {
        error.WriteLine(line);
        if (Environment.GetEnvironmentVariable(DebugVariable) == "1") error.WriteLine(e.ToString());
        return exitCode;
    }

    /// <summary>A .NET message as a clause: one line, without its final full stop.</summary>
    private static string Sentence(string message) => OneLine(message).TrimEnd('.');

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

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
