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
        var output = new Option<string>("--output", "-o") { Description = "Weights file to write", DefaultValueFactory = _ => $"models/{FeatureClassifierConfig.Version}.safetensors" };
        var epochs = new Option<int>("--epochs") { Description = "Epochs over the 60k training images", DefaultValueFactory = _ => 20 };
        var batch = new Option<int>("--batch") { Description = "Batch size", DefaultValueFactory = _ => 128 };
        var lr = new Option<double>("--lr") { Description = "Peak AdamW learning rate", DefaultValueFactory = _ => 3e-3 };
        var seed = new Option<long>("--seed") { Description = "Seed", DefaultValueFactory = _ => 0 };
        var data = new Option<string?>("--data") { Description = "Fashion-MNIST folder (default /usr/share/datasets/fashion-mnist)" };
        var quiet = new Option<bool>("--quiet") { Description = "No progress bar" };
        var command = new Command("train-classifier", $"Train the Fashion-MNIST feature classifier ({FeatureClassifierConfig.Version}) with a fixed seed and report its test accuracy.\n\n" +
            "Examples:\n  gensharp eval train-classifier --threads 2\n  gensharp eval train-classifier --epochs 2 -o /tmp/quick.safetensors");
        foreach (var o in new Option[] { output, epochs, batch, lr, seed, data, quiet }) command.Options.Add(o);
        common.AddTo(command);
        command.SetAction(parse =>
        {
            var device = TorchRuntime.Initialize(common.Read(parse));
            var w = parse.InvocationConfiguration.Output;
            string commandLine = "gensharp eval train-classifier " + string.Join(' ', parse.Tokens.Select(t => t.Value));
            var outcome = FeatureClassifierTraining.Train(
                new FeatureClassifierTraining.Options(parse.GetValue(epochs), parse.GetValue(batch), parse.GetValue(lr), parse.GetValue(seed), parse.GetValue(data)),
                parse.GetValue(output)!, device, commandLine, parse.GetValue(quiet), w);
            w.WriteLine($"test accuracy {outcome.TestAccuracy:P2}, {outcome.Parameters} parameters, trained in {outcome.TrainSeconds:F0} s");
            w.WriteLine($"wrote {outcome.Path}");
            return 0;
        });
        return command;
    }
}
