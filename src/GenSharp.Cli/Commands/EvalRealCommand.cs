using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using GenSharp.Evaluation;
using GenSharp.Runtime;

namespace GenSharp.Cli.Commands;

/// <summary><c>gensharp eval real</c>: the real-vs-real floor and the noise ceiling of every image metric.</summary>
public static class EvalRealCommand
{
    public static Command Build()
    {
        var common = new CommonOptions();
        var n = new Option<int>("--n") { Description = "Images per set", DefaultValueFactory = _ => 10_000 };
        var seed = new Option<long>("--seed") { Description = "Seed of the training subset and the noise", DefaultValueFactory = _ => 0 };
        var data = new Option<string?>("--data")
        {
            Description = "Fashion-MNIST folder, or captcha[:OPTIONS] for the CAPTCHA floor in the OCR's feature space (docs/captcha.md#fd)"
        };
        var json = new Option<bool>("--json") { Description = "One JSON line" };
        var command = new Command("real", "Print the floor (n Fashion-MNIST training images vs n test images) and the ceiling (uniform noise vs " +
            "test images) " +
            "of FD, KID, precision, recall and the classifier score, in the committed classifier's feature space (for --data captcha: " +
            "CAPTCHAs of training strings vs CAPTCHAs of test strings, in the OCR's).\n\n" +
            "Examples:\n  gensharp eval real\n  gensharp eval real --n 2000 --json\n  gensharp eval real --data captcha --n 5000");
        foreach (var o in new Option[] { n, seed, data, json }) command.Options.Add(o);
        common.AddTo(command);
        command.SetAction(parse =>
        {
            var device = TorchRuntime.Initialize(common.Read(parse));
            string? dataSpec = parse.GetValue(data);
            bool captcha = dataSpec is not null && Data.DataSpec.Parse(dataSpec) is Data.DataSpec.Captcha;
            using var extractor = captcha ? FeatureExtractor.LoadCaptchaOcr(device: device) : FeatureExtractor.Load(device: device);
            ReferenceBaselines.Result r;
            using (var progress = ScoringProgress.Start($"scoring floor and ceiling (n = {parse.GetValue(n)})",
                       2 * ScoringProgress.Work(parse.GetValue(n), parse.GetValue(n))))
                r = captcha
                    ? ReferenceBaselines.ComputeFor(extractor, dataSpec!, parse.GetValue(n), parse.GetValue(seed), progress)
                    : ReferenceBaselines.Compute(extractor, parse.GetValue(n), parse.GetValue(seed), dataSpec, progress);
            var w = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                w.WriteLine(JsonSerializer.Serialize(new
                {
                    features = extractor.Version,
                    n = parse.GetValue(n),
                    real_vs_real = r.RealVsReal.ToDictionary(),
                    real_vs_real_seconds = r.RealVsReal.Seconds,
                    noise_vs_real = r.NoiseVsReal.ToDictionary(),
                    noise_vs_real_seconds = r.NoiseVsReal.Seconds,
                }));
                return 0;
            }
            w.WriteLine($"features: {extractor.Version} ({extractor.Path}), n = {parse.GetValue(n)} per set");
            w.WriteLine($"{"metric",-18}{"train vs test (floor)",24}{"noise vs test (ceiling)",26}");
            foreach (var key in r.RealVsReal.ToDictionary().Keys)
                w.WriteLine($"{key,-18}{F(r.RealVsReal.ToDictionary()[key]),24}{F(r.NoiseVsReal.ToDictionary()[key]),26}");
            w.WriteLine($"{"seconds",-18}{r.RealVsReal.Seconds,24:F1}{r.NoiseVsReal.Seconds,26:F1}");
            return 0;
        });
        return command;
    }

    private static string F(double? v) => v?.ToString("G5", CultureInfo.InvariantCulture) ?? "n/a";
}
