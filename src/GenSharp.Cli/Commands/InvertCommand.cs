using System.CommandLine;
using System.Globalization;
using GenSharp.Diffusion.Images;
using GenSharp.Runtime;
using GenSharp.Training;

namespace GenSharp.Cli.Commands;

/// <summary><c>gensharp invert RUN --image FILE|DIR|held-out:N --steps K[,K...] [--eta E[,E...]]</c> (docs/samplers.md#ddim-inversion).</summary>
public static class InvertCommand
{
    public static Command Build()
    {
        var common = new CommonOptions();
        var runDir = new Argument<string>("RUN_DIR") { Description = "An image DDPM run written by gensharp train ddpm" };
        var image = new Option<string>("--image")
        {
            Description = "A PNG file, a folder of PNGs (the run's image size), or held-out:N (the run's first N held-out images)",
            Required = true,
        };
        var steps = new Option<string>("--steps")
        {
            Description = "DDIM steps K of the inversion and the decoding; several (10,20,50) sweep K and plot the error against it",
            DefaultValueFactory = _ => "50",
        };
        var eta = new Option<string>("--eta")
        {
            Description = "Decoder noise eta (0 deterministic = the inverse of the inversion; > 0 adds noise); several values sweep it",
            DefaultValueFactory = _ => "0",
        };
        var seed = new Option<long>("--seed") { Description = "Seed of the decoder's noise when eta > 0", DefaultValueFactory = _ => 0 };
        var output = new Option<string?>("--output", "-o") { Description = "A new folder for the reconstructions, errors.csv and figures" };
        var command = new Command("invert", "Map real images to their start noise x_T by DDIM inversion and back with DDIM; writes the " +
            "reconstructions and the per-image error, and the error against K and eta when several are given (docs/samplers.md#ddim-inversion)." +
            "\n\nExamples:\n  gensharp invert runs/ddpm-fashion-mnist --image my-images/ --steps 50\n" +
            "  gensharp invert runs/ddpm-fashion-mnist --image held-out:64 --steps 5,10,20,50,100 --eta 0,0.5,1");
        command.Arguments.Add(runDir);
        foreach (var o in new Option[] { image, steps, eta, seed, output }) command.Options.Add(o);
        common.AddTo(command);
        command.SetAction(parse =>
        {
            var request = new InversionRequest(parse.GetValue(image)!, CliLists.Ints(parse.GetValue(steps)!, "--steps"),
                CliLists.Doubles(parse.GetValue(eta)!, "--eta"), parse.GetValue(seed), parse.GetValue(output));
            var device = TorchRuntime.Initialize(common.Read(parse));
            var run = RunDirectory.Open(parse.GetValue(runDir)!);
            var w = parse.InvocationConfiguration.Output;
            var outcome = ImageDdpmInversion.Run(run, request, device, parse.InvocationConfiguration.Error);
            foreach (string f in outcome.Files) w.WriteLine($"wrote {f}");
            w.WriteLine($"{outcome.Images} images; RMSE of decode(invert(x)) - x in pixels [0, 1]:");
            w.WriteLine("     K    eta      mean    median       max   std(x_T)");
            foreach (var p in outcome.Points)
                w.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{p.Steps,6} {p.Eta,6:0.###} {p.MeanRmse,9:F4} {p.MedianRmse,9:F4} {p.MaxRmse,9:F4} {p.XTStd,10:F3}"));
            return 0;
        });
        return command;
    }
}
