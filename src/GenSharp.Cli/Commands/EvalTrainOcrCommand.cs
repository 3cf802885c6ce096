using System.CommandLine;
using GenSharp.Evaluation.Ocr;
using GenSharp.Runtime;

namespace GenSharp.Cli.Commands;

/// <summary><c>gensharp eval train-ocr</c>: trains the CAPTCHA OCR that scores CAPTCHA runs (docs/captcha.md#ocr).</summary>
public static class EvalTrainOcrCommand
{
    public static Command Build()
    {
        var common = new CommonOptions();
        var d = new CaptchaOcrTraining.Options();
        var output = new Option<string>("--output", "-o", "--out")
        {
            Description = "Weights file to write (the committed file is replaced only with --force)",
            DefaultValueFactory = _ => $"models/{CaptchaOcrConfig.FileName}"
        };
        var force = new Option<bool>("--force") { Description = $"Allow replacing an existing {CaptchaOcrConfig.FileName}" };
        var epochs = new Option<int>("--epochs") { Description = "Epochs over the rendered training CAPTCHAs", DefaultValueFactory = _ => d.Epochs };
        var batch = new Option<int>("--batch") { Description = "Batch size", DefaultValueFactory = _ => d.Batch };
        var lr = new Option<double>("--lr") { Description = "Peak AdamW learning rate", DefaultValueFactory = _ => d.Lr };
        var seed = new Option<long>("--seed")
        {
            Description = "Seed (training CAPTCHAs from S, test CAPTCHAs from S + 1)", DefaultValueFactory = _ => 0
        };
        var trainN = new Option<int>("--train-n") { Description = "Rendered training CAPTCHAs", DefaultValueFactory = _ => d.TrainCount };
        var testN = new Option<int>("--test-n") { Description = "Rendered test CAPTCHAs (unseen strings)", DefaultValueFactory = _ => d.TestCount };
        var quiet = new Option<bool>("--quiet") { Description = "No progress bar" };
        var command = new Command("train-ocr", $"Train the CAPTCHA OCR ({CaptchaOcrConfig.Version}) with a fixed seed on rendered CAPTCHAs and " +
            "report its character and full-string accuracy on CAPTCHAs of unseen strings. " +
            $"The committed models/{CaptchaOcrConfig.FileName} is never overwritten unless --force is given.\n\n" +
            "Examples:\n  gensharp eval train-ocr --threads 1 -o /tmp/ocr-repro.safetensors   (reproduce the committed network's recipe)\n" +
            "  gensharp eval train-ocr --epochs 1 --train-n 2000 -o /tmp/quick.safetensors");
        foreach (var o in new Option[] { output, force, epochs, batch, lr, seed, trainN, testN, quiet }) command.Options.Add(o);
        common.AddTo(command);
        command.SetAction(parse =>
        {
            string path = parse.GetValue(output)!;
            EvalTrainClassifierCommand.RefuseToReplaceCommittedWeights(path, parse.GetValue(force), CaptchaOcrConfig.FileName,
                CaptchaOcrConfig.Version);
            Files.OutputTarget.RequireReplaceableFile(Path.GetFullPath(path)); // before training, not after
            Limits.Check("--train-n", parse.GetValue(trainN), parse.GetValue(batch), 200_000);
            Limits.Check("--test-n", parse.GetValue(testN), 1, 200_000);
            var device = TorchRuntime.Initialize(common.Read(parse));
            var w = parse.InvocationConfiguration.Output;
            var outcome = CaptchaOcrTraining.Train(
                new CaptchaOcrTraining.Options(parse.GetValue(epochs), parse.GetValue(batch), parse.GetValue(lr), parse.GetValue(seed),
                    parse.GetValue(trainN), parse.GetValue(testN)),
                path, device, EvalTrainClassifierCommand.ReproduceCommand(parse), parse.GetValue(quiet), w);
            w.WriteLine($"{CaptchaOcrTraining.Describe(outcome.Test)}, {outcome.Parameters} parameters, trained in {outcome.TrainSeconds:F0} s " +
                $"(rendering {outcome.RenderSeconds:F0} s)");
            w.WriteLine($"wrote {outcome.Path}");
            return 0;
        });
        return command;
    }
}
