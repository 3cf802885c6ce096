using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace GenSharp.Cli;

/// <summary>
/// System.CommandLine writes a parent command's arguments into its sub-commands' help: <c>eval</c> takes RUN_DIR, so
/// <c>gensharp eval train-classifier --help</c> would show "Usage: gensharp eval &lt;RUN_DIR&gt; train-classifier" and list
/// RUN_DIR, which that sub-command does not take. For commands under a parent with arguments, the help text drops the
/// parents' arguments from the usage line and the arguments section; every other help page is the default.
/// </summary>
internal sealed class SubcommandHelp(HelpAction inner) : SynchronousCommandLineAction
{
    public static void Install(RootCommand root)
    {
        var option = root.Options.OfType<HelpOption>().FirstOrDefault();
        if (option?.Action is HelpAction help) option.Action = new SubcommandHelp(help);
    }

    public override int Invoke(ParseResult parseResult)
    {
        var command = parseResult.CommandResult.Command;
        var parentArguments = ParentArguments(command);
        if (parentArguments.Count == 0) return inner.Invoke(parseResult);
        var configuration = parseResult.InvocationConfiguration;
        var output = configuration.Output;
        var text = new StringWriter();
        configuration.Output = text;
        try
        {
            inner.Invoke(parseResult);
        }
        finally
        {
            configuration.Output = output;
        }
        var lines = text.ToString().Split('\n').ToList();
        int usage = lines.FindIndex(l => l.TrimEnd() == "Usage:");
        foreach (var argument in parentArguments)
        {
            string label = $"<{argument.HelpName ?? argument.Name}>";
            for (int i = usage + 1; usage >= 0 && i < lines.Count && lines[i].Trim().Length > 0; i++)
                lines[i] = lines[i].Replace(" " + label, "", StringComparison.Ordinal);                // the usage line
            lines.RemoveAll(l => l.TrimStart().StartsWith(label + " ", StringComparison.Ordinal));   // its row under Arguments:
        }
        int heading = lines.FindIndex(l => l.TrimEnd() == "Arguments:");
        if (heading >= 0 && (heading + 1 == lines.Count || lines[heading + 1].Trim().Length == 0))
            lines.RemoveRange(heading, Math.Min(2, lines.Count - heading));                          // an empty Arguments: section
        output.Write(string.Join('\n', lines));
        return 0;
    }

    private static List<Argument> ParentArguments(Command command)
    {
        var arguments = new List<Argument>();
        for (var parent = command.Parents.OfType<Command>().FirstOrDefault();
             parent is not null;
             parent = parent.Parents.OfType<Command>().FirstOrDefault())
            arguments.AddRange(parent.Arguments);
        return arguments;
    }
}
