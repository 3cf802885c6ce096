using System.CommandLine;
using System.Text.Json;
using GenSharp.Data;
using GenSharp.Evaluation;
using GenSharp.Runtime;
using static TorchSharp.torch;

namespace GenSharp.Cli.Commands;

/// <summary><c>gensharp eval fd A B</c>: the Fréchet distance (and KID, precision/recall) between two image folders or two feature CSVs.</summary>
public static class EvalFdCommand
{
    public static Command Build()
    {
        var common = new CommonOptions();
        var a = new Argument<string>("A") { Description = "Folder of 28x28 PNG images, or a CSV of feature vectors" };
        var b = new Argument<string>("B") { Description = "The same kind as A" };
        var json = new Option<bool>("--json") { Description = "One JSON line" };
        var command = new Command("fd", "Fréchet distance between two sets: folders of PNG images (features from the committed Fashion-MNIST " +
            "classifier; " +
            "also KID, precision/recall, classifier score) or CSV files of feature vectors (one per line, same dimension).\n\n" +
            "Examples:\n  gensharp eval fd samples/ real/\n  gensharp eval fd a.csv b.csv --json");
        command.Arguments.Add(a);
        command.Arguments.Add(b);
        command.Options.Add(json);
        common.AddTo(command);
        command.SetAction(parse =>
        {
            var device = TorchRuntime.Initialize(common.Read(parse));
            string pa = parse.GetValue(a)!, pb = parse.GetValue(b)!;
            var result = new Dictionary<string, object?> { ["a"] = pa, ["b"] = pb };
            bool csv = pa.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);
            if (csv != pb.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
                throw new ConfigException("A and B must both be image folders or both be CSV files");
            using var scope = NewDisposeScope();
            if (csv)
            {
                var (fa, fb) = FeatureCsv.LoadPair(pa, pb);
                result["features"] = "csv";
                result["n_a"] = fa.shape[0];
                result["n_b"] = fb.shape[0];
                result["fd"] = FrechetDistance.Compute(fa, fb);
            }
            else
            {
                using var extractor = FeatureExtractor.Load(device: device);
                using var da = PngFolder.Load(pa, channels: 1);
                using var db = PngFolder.Load(pb, channels: 1);
                ImageMetricsReport report;
                using (var progress = ScoringProgress.Start($"scoring {FolderName(pb)} against {FolderName(pa)}",
                           ScoringProgress.Work(da.Count, db.Count),
                           quiet: parse.GetValue(json)))
                    report = ImageMetrics.Compute(extractor, da.Images, db.Images, progress: progress);
                result["features"] = extractor.Version;
                result["n_a"] = report.NReal;
                result["n_b"] = report.NGenerated;
                foreach (var (k, v) in report.ToDictionary()) result[k] = v;
                result["class_histogram_b"] = report.ClassHistogram;
                result["seconds"] = Math.Round(report.Seconds, 2);
            }
            var w = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) w.WriteLine(JsonSerializer.Serialize(result));
            else foreach (var (k, v) in result)
                w.WriteLine($"{k,-20}{(v is double[] arr
                    ? string.Join(" ", arr.Select(x => x.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))
                    : v)}");
            return 0;
        });
        return command;
    }

    /// <summary>The last part of a folder path, for a progress line that fits a terminal.</summary>
    private static string FolderName(string path) =>
        Path.GetFileName(Path.TrimEndingDirectorySeparator(path)) is { Length: > 0 } name ? name : path;
}
