using System.CommandLine;
using GenSharp.Data.Captcha;
using GenSharp.Runtime;

namespace GenSharp.Cli.Commands;

/// <summary><c>gensharp data &lt;kind&gt;</c>: writes generated data sets to disk; one sub-command per kind.</summary>
public static class DataCommand
{
    public static Command Build()
    {
        var command = new Command("data", "Write a generated data set to a new folder.\n\n" +
            "Examples:\n  gensharp data captcha --n 1000 --seed 0 --out /tmp/captchas");
        command.Subcommands.Add(BuildCaptcha());
        return command;
    }

    private static Command BuildCaptcha()
    {
        var common = new CommonOptions();
        var n = new Option<int>("--n") { Description = "Number of CAPTCHAs", DefaultValueFactory = _ => 1000 };
        var seed = new Option<long>("--seed")
        {
            Description = "Seed: the same seed writes the same images and strings", DefaultValueFactory = _ => 0
        };
        var output = new Option<string>("--out", "-o", "--output") { Description = "New or empty folder to write", Required = true };
        var split = new Option<string>("--split")
        {
            Description = "Draw the strings from the training set or the disjoint test set (docs/captcha.md#unseen-strings)",
            DefaultValueFactory = _ => "train",
        };
        split.AcceptOnlyFromAmong("train", "test");
        var length = new Option<int>("--length") { Description = "Characters per CAPTCHA", DefaultValueFactory = _ => 4 };
        var alphabet = new Option<string>("--alphabet")
        {
            Description = "Characters to draw from (default: digits and capitals without 0/O and 1/I)",
            DefaultValueFactory = _ => CaptchaOptions.DefaultAlphabet,
        };
        var command = new Command("captcha", "Render CAPTCHAs (32x96 grey, docs/captcha.md) as 000000.png, ... and labels.csv (file,text) into a " +
            "new or empty folder; an existing non-empty folder is refused, never overwritten.\n\n" +
            "Examples:\n  gensharp data captcha --n 1000 --seed 0 --out /tmp/captchas\n" +
            "  gensharp data captcha --n 200 --split test --length 5 --out /tmp/unseen");
        foreach (var o in new Option[] { n, seed, output, split, length, alphabet }) command.Options.Add(o);
        common.AddTo(command);
        command.SetAction(parse =>
        {
            var options = new CaptchaOptions { Alphabet = parse.GetValue(alphabet)!, Length = parse.GetValue(length) }.Validate();
            string dir = parse.GetValue(output)!;
            TorchRuntime.Initialize(common.Read(parse));
            var which = parse.GetValue(split) == "test" ? CaptchaSplit.Test : CaptchaSplit.Train;
            CaptchaFolder.Write(options, which, parse.GetValue(n), parse.GetValue(seed), dir);
            parse.InvocationConfiguration.Output.WriteLine($"wrote {parse.GetValue(n)} CAPTCHAs and {CaptchaFolder.LabelsFile} to {dir}");
            return 0;
        });
        return command;
    }
}
