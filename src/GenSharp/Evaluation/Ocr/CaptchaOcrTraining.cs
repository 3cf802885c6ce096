using System.Diagnostics;
using GenSharp.Data;
using GenSharp.Data.Captcha;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Evaluation.Ocr;

/// <summary>
/// Trains the CAPTCHA OCR deterministically from a seed (docs/captcha.md#ocr) with <see cref="SupervisedTraining"/>: rendered
/// CAPTCHAs of training strings (seed S), cross-entropy summed over the character positions with label smoothing 0.1, and a
/// random shift of up to 2 pixels per batch; scored on CAPTCHAs of the disjoint test strings (seed S + 1).
/// </summary>
public static class CaptchaOcrTraining
{
    public sealed record Options(int Epochs = 5, int Batch = 128, double Lr = 3e-3, long Seed = 0, int TrainCount = 40_000, int TestCount = 5_000);

    public sealed record Outcome(Accuracy Test, double TrainSeconds, double RenderSeconds, long Parameters, string Path);

    /// <summary>Per-character and full-string accuracy.</summary>
    public sealed record Accuracy(double Characters, double Strings);

    public static Outcome Train(Options options, string outputPath, Device device, string command, bool quiet = false, TextWriter? log = null)
    {
        var data = new CaptchaOptions();
        var clock = Stopwatch.StartNew();
        using var train = CaptchaSet.Render(data, CaptchaSplit.Train, options.TrainCount, options.Seed);
        using var test = CaptchaSet.Render(data, CaptchaSplit.Test, options.TestCount, options.Seed + 1);
        double render = clock.Elapsed.TotalSeconds;
        log?.WriteLine($"rendered {options.TrainCount} training and {options.TestCount} test CAPTCHAs in {render:F0} s");
        using var trainX = train.Images.to(device);
        using var trainY = train.CharacterIndices(data.Alphabet).to(device);
        manual_seed(options.Seed);
        using var g = new Generator((ulong)options.Seed, CPU);
        var config = new CaptchaOcrConfig(data.Alphabet, data.Length);
        using var model = new CaptchaOcr(config);
        model.to(device);
        var plan = new SupervisedTraining.Plan(options.Epochs, options.Batch, options.Lr, options.Seed, train.Count);
        double seconds = SupervisedTraining.Run(model, plan, device,
            idx => Loss(model.call(Shift(trainX.index_select(0, idx), g)), trainY.index_select(0, idx)),
            "train CAPTCHA OCR", quiet, log, () => Describe(Evaluate(model, test, device)));
        var accuracy = Evaluate(model, test, device);
        long parameters = model.parameters().Sum(p => p.numel());
        SupervisedTraining.Save(outputPath, model, CaptchaOcrConfig.Version, plan, seconds, command, train.ContentHash,
            new Dictionary<string, double> { ["test_char_accuracy"] = accuracy.Characters, ["test_string_accuracy"] = accuracy.Strings });
        return new Outcome(accuracy, seconds, render, parameters, outputPath);
    }

    /// <summary>Cross-entropy of each position's logits (B, L, K) against the characters (B, L), summed over positions.</summary>
    public static Tensor Loss(Tensor logits, Tensor characters) =>
        nn.functional.cross_entropy(logits.flatten(0, 1), characters.flatten(), label_smoothing: 0.1) * logits.shape[1];

    /// <summary>Accuracy of the OCR on rendered CAPTCHAs (eval mode, batched).</summary>
    public static Accuracy Evaluate(CaptchaOcr model, CaptchaSet set, Device device, int batch = 500)
    {
        model.eval();
        using var noGrad = no_grad();
        long chars = 0, strings = 0;
        using var truth = set.CharacterIndices(model.Config.Alphabet);
        for (int start = 0; start < set.Count; start += batch)
        {
            using var scope = NewDisposeScope();
            int n = Math.Min(batch, set.Count - start);
            var pred = model.call(set.Images.narrow(0, start, n).to(device)).argmax(2).cpu();
            var right = pred.eq(truth.narrow(0, start, n));
            chars += right.sum().item<long>();
            strings += right.all(1).sum().item<long>();
        }
        return new Accuracy((double)chars / (set.Count * model.Config.Length), (double)strings / set.Count);
    }

    /// <summary>"characters 99.1 %, strings 96.5 %".</summary>
    public static string Describe(Accuracy a) => $"test accuracy: characters {a.Characters:P2}, strings {a.Strings:P2}";

    /// <summary>One random shift of up to 2 pixels per batch, edges replicated.</summary>
    private static Tensor Shift(Tensor x, Generator g)
    {
        var shift = randint(-2, 3, [2], dtype: ScalarType.Int64, generator: g).data<long>().ToArray();
        var padded = nn.functional.pad(x, [2, 2, 2, 2], PaddingModes.Replicate);
        return padded.narrow(2, 2 + shift[0], x.shape[2]).narrow(3, 2 + shift[1], x.shape[3]);
    }
}
