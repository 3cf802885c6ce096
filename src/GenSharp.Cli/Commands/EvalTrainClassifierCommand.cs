using System.CommandLine;
using GenSharp.Evaluation;
using GenSharp.Runtime;

namespace GenSharp.Cli.Commands;

/// <summary><c>gensharp eval train-classifier</c>: trains the Fashion-MNIST feature network used by every image metric.</summary>
public static class EvalTrainClassifierCommand
{
    public static Command Build()
    {
        var common = new CommonOptions();
        var output = new Option<string>("--output", "-o", "--out")
        {
            Description = "Weights file to write (the committed file is replaced only with --force)",
            DefaultValueFactory = _ => $"models/{FeatureClassifierConfig.FileName}"
        };
        var force = new Option<bool>("--force")
        {
            Description = $"Allow replacing an existing {FeatureClassifierConfig.FileName} (the committed, checksummed weights every metric is " +
                "labelled with)"
        };
        var epochs = new Option<int>("--epochs") { Description = "Epochs over the 60k training images", DefaultValueFactory = _ => 20 };
        var batch = new Option<int>("--batch") { Description = "Batch size", DefaultValueFactory = _ => 128 };
        var lr = new Option<double>("--lr") { Description = "Peak AdamW learning rate", DefaultValueFactory = _ => 3e-3 };
        var seed = new Option<long>("--seed") { Description = "Seed", DefaultValueFactory = _ => 0 };
        var data = new Option<string?>("--data") { Description = "Fashion-MNIST folder (default /usr/share/datasets/fashion-mnist)" };
        var quiet = new Option<bool>("--quiet") { Description = "No progress bar" };
        var command = new Command("train-classifier", $"Train the Fashion-MNIST feature classifier ({FeatureClassifierConfig.Version}) with a " +
            "fixed seed and report its test accuracy. " +
            $"The committed models/{FeatureClassifierConfig.FileName} is never overwritten unless --force is given.\n\n" +
            "Examples:\n" +
            "  gensharp eval train-classifier --threads 2 -o /tmp/features-repro.safetensors   (reproduce the committed network's recipe)\n" +
            "  gensharp eval train-classifier --epochs 2 -o /tmp/quick.safetensors");
        foreach (var o in new Option[] { output, force, epochs, batch, lr, seed, data, quiet }) command.Options.Add(o);
        common.AddTo(command);
        command.SetAction(parse =>
        {
            string path = parse.GetValue(output)!;
            RefuseToReplaceCommittedWeights(path, parse.GetValue(force));
            Files.OutputTarget.RequireReplaceableFile(Path.GetFullPath(path)); // before training, not after
            var device = TorchRuntime.Initialize(common.Read(parse));
            var w = parse.InvocationConfiguration.Output;
            var outcome = FeatureClassifierTraining.Train(
                new FeatureClassifierTraining.Options(
                    parse.GetValue(epochs),
                    parse.GetValue(batch),
                    parse.GetValue(lr),
                    parse.GetValue(seed),
                    parse.GetValue(data)),
                path, device, ReproduceCommand(parse), parse.GetValue(quiet), w);
            w.WriteLine($"test accuracy {outcome.TestAccuracy:P2}, {outcome.Parameters} parameters, trained in {outcome.TrainSeconds:F0} s");
            w.WriteLine($"wrote {outcome.Path}");
            return 0;
        });
        return command;
    }

    /// <summary>
    /// The command line that reproduces this invocation, for the weights' metadata. The parse tokens already hold the
    /// verbs (<c>eval train-classifier --epochs 20 ...</c>), so only the program name is prefixed.
    /// </summary>
    internal static string ReproduceCommand(ParseResult parse) =>
        "gensharp " + string.Join(' ', parse.Tokens.Select(t => t.Value.Contains(' ') ? $"'{t.Value}'" : t.Value));

    /// <summary>
    /// Every metric is labelled with a committed, checksummed network (<paramref name="fileName"/>, <paramref name="version"/>):
    /// writing a retrained network over it (the default --output when run from the repository) needs --force.
    /// </summary>
    internal static void RefuseToReplaceCommittedWeights(string path, bool force, string fileName = FeatureClassifierConfig.FileName,
        string version = FeatureClassifierConfig.Version)
    {
        if (force
            || !File.Exists(path)
            || !string.Equals(Path.GetFileName(path), fileName, StringComparison.OrdinalIgnoreCase)) return;
        throw new ConfigException($"{path} holds the committed {version} weights that metrics are labelled with; " +
            "write the new network elsewhere with --output FILE (e.g. -o /tmp/repro.safetensors), or pass --force to replace them " +
            $"(then metrics refuse it until it gets a new version name and checksum)");
    }
}
