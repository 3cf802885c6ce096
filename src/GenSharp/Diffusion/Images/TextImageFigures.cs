using System.Globalization;
using System.Text.Json;
using GenSharp.Nn;
using GenSharp.Output;
using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Diffusion.Images;

/// <summary>
/// Figures of a text-conditional image DDPM (docs/captcha.md#text-evaluation): requested strings beside what the OCR read (one row per
/// string, mismatched reads in brackets), the cross-attention maps of one sample (which token each image region attends to), the OCR
/// accuracies over the guidance weight, and the summary <see cref="TextImageReport"/> shows.
/// </summary>
internal static class TextImageFigures
{
    /// <summary>Samples shown per requested string.</summary>
    public const int Columns = 4;

    public static string SummaryPath(RunDirectory run) => Path.Combine(run.PlotsDir, "text-eval.json");
    public static string ReadGridPath(RunDirectory run) => Path.Combine(run.PlotsDir, "text-requested-vs-read.png");
    public static string AttentionPath(RunDirectory run) => Path.Combine(run.PlotsDir, "text-cross-attention.png");
    public static string SweepPath(RunDirectory run) => Path.Combine(run.PlotsDir, "text-guidance-sweep.png");

    /// <summary>One requested string: whether it was seen in training and what the OCR read on its first samples.</summary>
    public sealed record ReadRow(string Requested, bool Seen, string[] Read);

    public sealed record Summary(double Guidance, int SamplesPerString, double DiversityReal, TextImageEvaluation.Row[] Rows, ReadRow[] Reads,
        string AttentionText, int AttentionStep, string AttentionLevel);

    public static void Write(RunDirectory run, UNet network, GaussianDiffusion diffusion, IReadOnlyList<TextImageEvaluation.Row> rows,
        double guidance, TextImageEvaluation.Drawn main, int perString, double realDiversity, long seed, Device device)
    {
        Directory.CreateDirectory(run.PlotsDir);
        int strings = main.Requested.Length / perString, shown = Math.Min(Columns, perString), seenStrings = strings / 2;
        var reads = Enumerable.Range(0, strings).Select(s => new ReadRow(main.Requested[s * perString], s < seenStrings,
            main.Read.Skip(s * perString).Take(shown).ToArray())).ToArray();
        using (var scope = NewDisposeScope())
        {
            var strip = reads.Select((r, s) => (Label(r), main.Samples.narrow(0, (long)s * perString, shown))).ToList();
            ImageStrip.Save(ReadGridPath(run), strip, Enumerable.Repeat("", shown).ToList(), scale: 2);
        }
        var (step, level) = WriteAttention(run, network, diffusion, main.Samples.narrow(0, 0, 1), main.Requested[0], seed, device);
        var sorted = rows.OrderBy(r => r.Guidance).ToArray();
        if (sorted.Length > 1)
        {
            double[] ws = [.. sorted.Select(r => r.Guidance)];
            var plot = new LinePlot { Title = "OCR accuracy of generated CAPTCHAs over w", XLabel = "guidance weight w", YLabel = "accuracy" };
            plot.Add(ws, [.. sorted.Select(r => r.CharAccuracy)], "characters, seen strings");
            plot.Add(ws, [.. sorted.Select(r => r.StringAccuracy)], "strings, seen");
            plot.Add(ws, [.. sorted.Select(r => r.CharAccuracyUnseen)], "characters, unseen strings");
            plot.Add(ws, [.. sorted.Select(r => r.StringAccuracyUnseen)], "strings, unseen");
            plot.Save(SweepPath(run));
        }
        var summary = new Summary(guidance, perString, realDiversity, sorted, reads, main.Requested[0], step, level);
        AtomicFile.WriteAllText(SummaryPath(run), JsonSerializer.Serialize(summary, JsonDefaults.Options) + "\n");
    }

    private static string Label(ReadRow r) =>
        $"{r.Requested} ({(r.Seen ? "seen" : "unseen")}) read: " + string.Join(" ", r.Read.Select(x => x == r.Requested ? x : $"[{x}]"));

    /// <summary>
    /// One forward at t = T/10 on the noised sample with its string, recording the first (highest-resolution) cross-attention block's
    /// weights; each token's map, averaged over heads and scaled to its maximum, is drawn beside the sample (dark = attended).
    /// </summary>
    private static (int Step, string Level) WriteAttention(RunDirectory run, UNet network, GaussianDiffusion diffusion, Tensor sample,
        string text, long seed, Device device)
    {
        var block = network.CrossAttention[0];
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var g = new Generator((ulong)seed + 17, device);
        int step = Math.Max(1, diffusion.Timesteps / 10);
        var x0 = sample.to(device);
        var t = full([1], (long)step, dtype: ScalarType.Int64, device: device);
        var xt = diffusion.QSample(x0, t, randn(x0.shape, generator: g, device: device));
        block.KeepWeights = true;
        try
        {
            network.eval();
            network.Forward(xt, t, network.Tokens!.Characters([text]).to(device));
        }
        finally
        {
            block.KeepWeights = false;
        }
        var weights = block.LastWeights!.mean([1]);                                       // (1, N, T) over heads
        long tokens = 1 + text.Length, height = sample.shape[2], width = sample.shape[3];
        long h = (long)Math.Round(Math.Sqrt(weights.shape[1] * height / (double)width)), w = weights.shape[1] / h;
        var maps = weights[0].transpose(0, 1).reshape(tokens, 1, h, w);                    // (T, 1, h, w)
        maps = maps / maps.amax([1, 2, 3], keepdim: true);
        var images = 1 - 2 * nn.functional.interpolate(maps, [height, width], mode: InterpolationMode.Nearest); // white 0, black max
        var rows = new List<(string, Tensor)> { ($"sample '{text}'", sample.cpu()) };
        for (int k = 0; k < tokens; k++) rows.Add((k == 0 ? "start token" : $"'{text[k - 1]}'", images.narrow(0, k, 1).cpu()));
        ImageStrip.Save(AttentionPath(run), rows, [""], scale: 3);
        return (step, $"{h}x{w}");
    }

    public static string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
}
