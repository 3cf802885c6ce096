using GenSharp.Data;
using GenSharp.Data.Captcha;
using GenSharp.Diffusion.Conditioning;
using GenSharp.Evaluation.Ocr;
using GenSharp.Nn;
using GenSharp.Pipelines;
using GenSharp.Training;
using static TorchSharp.torch;

namespace GenSharp.Diffusion.Images;

/// <summary>
/// The evaluation of a text-conditional image DDPM (docs/captcha.md#text-evaluation): at each guidance weight w, samples of
/// <see cref="StringsPerSet"/> strings of the run's training set (seen) and as many test strings (unseen, never in a training image),
/// read back by the committed OCR (<c>captcha-ocr-v1</c>): character and full-string accuracy for both sets, and the diversity among the
/// samples of one string (mean pairwise distance of their OCR features, beside the same for rendered CAPTCHAs of the string), so that
/// guidance can be seen not to collapse style. FD against rendered CAPTCHAs beside its floor is the pipeline's.
/// </summary>
public static class TextImageEvaluation
{
    /// <summary>Strings of each set (seen, unseen) per guidance weight.</summary>
    public const int StringsPerSet = 8;

    /// <summary>One guidance weight's results (accuracies in [0, 1]; diversity in OCR-feature units).</summary>
    public sealed record Row(double Guidance, double CharAccuracy, double StringAccuracy, double CharAccuracyUnseen, double StringAccuracyUnseen,
        double Diversity, int SamplesPerString, double SamplingSeconds);

    /// <summary>The requested strings, what the OCR read, and the samples (seen strings first), of one weight.</summary>
    public sealed record Drawn(string[] Requested, string[] Read, Tensor Samples);

    /// <summary>Adds the OCR metrics (and the sweep) to <paramref name="evaluation"/> and writes the figures.</summary>
    public static void Extend(RunDirectory run, ImageDdpmConfig config, UNet network, EvalRequest request, Device device,
        ImageEvaluationResult evaluation)
    {
        var conditioning = config.Conditioning!;
        var choice = request.Guidance ?? new GuidanceChoice();
        if (choice.Class is not null) throw new ConfigException($"--class {choice.Class}: this run is conditioned on text, not on classes");
        double main = choice.Guidance ?? conditioning.Guidance;
        var weights = (choice.Sweep ?? []).Append(main).Distinct().ToArray();
        evaluation.Json["guidance"] = main;
        if (DataSpec.Parse(config.Training.Data) is not DataSpec.Captcha { Options: var options } ||
            options.Alphabet != CaptchaOptions.DefaultAlphabet || options.Length != 4)
        {
            evaluation.Json["text_notes"] = $"the OCR reads 4 characters of the default alphabet; {config.Training.Data} differs: no OCR metrics";
            return;
        }
        var (ocr, _, _) = CaptchaOcrWeights.Load(device: device);
        using var _ocr = ocr;
        var seen = Strings(options, CaptchaSplit.Train, options.Seed);
        var unseen = Strings(options, CaptchaSplit.Test, options.Seed + 1);
        int perString = Math.Max(2, request.N / (2 * StringsPerSet));
        double realDiversity = RealDiversity(ocr, seen, perString, device);
        var spec = (request.Sampler ?? config.Sampler).Validate(config.Schedule.Timesteps);
        using var diffusion = new GaussianDiffusion(new NoiseSchedule(config.Schedule, device));
        var rows = new List<Row>();
        Drawn? mainDraw = null;
        foreach (double w in weights)
        {
            var guidance = new GuidedSampling(0, conditioning.NullLabel, w, null, choice.Rescale ?? 0, network.Tokens,
                [.. seen.Concat(unseen).SelectMany(s => Enumerable.Repeat(s, perString))]);
            using var sampler = new DdpmImageSampler(network, diffusion, spec, device, ownsDiffusion: false, guidance);
            var drawn = BatchedSampling.Draw(sampler, guidance.Texts!.Length, request.Seed, device, request.Quiet);
            using var samples = drawn.Samples;
            drawn.Labels?.Dispose();
            var (row, read) = Score(ocr, samples, guidance.Texts, seen.Length * perString, perString, w, drawn.Seconds, device);
            rows.Add(row);
            if (w == main) mainDraw = new Drawn(guidance.Texts, read, samples.cpu().clone());
        }
        var mainRow = rows.Single(r => r.Guidance == main);
        evaluation.Metrics["ocr_char_accuracy"] = mainRow.CharAccuracy;
        evaluation.Metrics["ocr_string_accuracy"] = mainRow.StringAccuracy;
        evaluation.Metrics["ocr_char_accuracy_unseen"] = mainRow.CharAccuracyUnseen;
        evaluation.Metrics["ocr_string_accuracy_unseen"] = mainRow.StringAccuracyUnseen;
        evaluation.Metrics["ocr_diversity"] = mainRow.Diversity;
        evaluation.Metrics["ocr_diversity_real"] = realDiversity;
        evaluation.Json["text"] = new Dictionary<string, object?>
        {
            ["ocr"] = CaptchaOcrConfig.Version, ["sampler"] = spec.Label, ["samples_per_string"] = perString,
            ["seen_strings"] = seen, ["unseen_strings"] = unseen,
        };
        if (choice.Sweep is not null)
            evaluation.Json["guidance_sweep"] = rows.Where(r => choice.Sweep.Contains(r.Guidance)).Select(r => new Dictionary<string, object?>
            {
                ["guidance"] = r.Guidance, ["ocr_char_accuracy"] = r.CharAccuracy, ["ocr_string_accuracy"] = r.StringAccuracy,
                ["ocr_char_accuracy_unseen"] = r.CharAccuracyUnseen, ["ocr_string_accuracy_unseen"] = r.StringAccuracyUnseen,
                ["ocr_diversity"] = r.Diversity, ["sampling_s"] = r.SamplingSeconds,
            }).ToList();
        using (mainDraw!.Samples)
            TextImageFigures.Write(run, network, diffusion, rows, main, mainDraw, perString, realDiversity, request.Seed, device);
    }

    /// <summary>The first <see cref="StringsPerSet"/> strings of a rendered set (the run's training images, or its held-out ones).</summary>
    public static string[] Strings(CaptchaOptions options, CaptchaSplit split, long seed) =>
        [.. Enumerable.Range(0, StringsPerSet).Select(i => CaptchaSet.Item(options.Alphabet, options.Length, seed, split, i).Text)];

    private static (Row Row, string[] Read) Score(CaptchaOcr ocr, Tensor samples, string[] requested, int seenCount, int perString, double w,
        double seconds, Device device)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var features = ocr.Features(samples.to(device));
        var read = ocr.Read(ocr.LogitsFromFeatures(features));
        var (c, s) = Accuracy(requested[..seenCount], read[..seenCount]);
        var (cu, su) = Accuracy(requested[seenCount..], read[seenCount..]);
        return (new Row(w, c, s, cu, su, Diversity(features, perString), perString, seconds), read);
    }

    /// <summary>(character accuracy, full-string accuracy) of what was read against what was requested.</summary>
    public static (double Characters, double Strings) Accuracy(IReadOnlyList<string> requested, IReadOnlyList<string> read)
    {
        int chars = 0, total = 0, strings = 0;
        for (int i = 0; i < requested.Count; i++)
        {
            total += requested[i].Length;
            chars += requested[i].Zip(read[i]).Count(p => p.First == p.Second);
            strings += requested[i] == read[i] ? 1 : 0;
        }
        return ((double)chars / total, (double)strings / requested.Count);
    }

    /// <summary>
    /// The mean over groups of <paramref name="perString"/> consecutive rows of the mean pairwise Euclidean distance between the rows'
    /// features (B, D): 0 when every sample of a string is the same image.
    /// </summary>
    public static double Diversity(Tensor features, int perString)
    {
        using var scope = NewDisposeScope();
        var groups = features.to_type(ScalarType.Float64).reshape(-1, perString, features.shape[1]);  // (S, r, D)
        var distances = cdist(groups, groups);                                                       // (S, r, r)
        return (distances.sum() / (groups.shape[0] * perString * (perString - 1))).item<double>();    // the diagonal is 0
    }

    /// <summary>The same diversity for rendered CAPTCHAs of <paramref name="strings"/> (a different render seed per copy).</summary>
    private static double RealDiversity(CaptchaOcr ocr, string[] strings, int perString, Device device)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var bytes = strings.SelectMany((s, i) => Enumerable.Range(0, perString).SelectMany(j => CaptchaRenderer.Render(s, 1_000_003L * i + j)))
            .ToArray();
        var images = tensor(bytes).reshape(-1, 1, CaptchaOptions.Height, CaptchaOptions.Width).to_type(ScalarType.Float32) / 127.5f - 1;
        return Diversity(ocr.Features(images.to(device)), perString);
    }
}
