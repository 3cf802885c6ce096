using GenSharp.Data.Captcha;
using GenSharp.Diffusion;
using GenSharp.Diffusion.Conditioning;
using GenSharp.Diffusion.Images;
using GenSharp.Diffusion.Samplers;
using GenSharp.Nn;
using GenSharp.Nn.Text;
using GenSharp.Pipelines;
using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Diffusion.Conditioning;

/// <summary>
/// The evaluation of a text-conditional run (docs/captcha.md#text-evaluation): OCR accuracies and diversity against closed forms, the
/// seen and unseen strings, the string order across sampling blocks, and eval.json, the sweep and the figures of a tiny 32x96 run.
/// </summary>
[Collection(GlobalRngCollection.Name)]
public sealed class TextEvaluationTests
{
    [Fact]
    public void AccuracyCountsCharactersAndWholeStrings()
    {
        var (chars, strings) = TextImageEvaluation.Accuracy(["7KQ2", "ABCD", "ZZZZ"], ["7KQ2", "ABCE", "2222"]);
        Assert.Equal(7.0 / 12, chars, 12);
        Assert.Equal(1.0 / 3, strings, 12);
    }

    [Fact]
    public void DiversityIsTheMeanPairwiseDistanceWithinEachString()
    {
        using var scope = NewDisposeScope();
        // string 1: (0, 0) and (3, 4), 5 apart; string 2: two equal rows; string 3: an equilateral triangle of side 2
        var f = tensor(new float[] { 0, 0, 3, 4, 1, 1, 1, 1 }).reshape(4, 2);
        Assert.Equal(2.5, TextImageEvaluation.Diversity(f, 2), 6);
        var triangle = tensor(new float[] { 0, 0, 2, 0, 1, (float)Math.Sqrt(3) }).reshape(3, 2);
        Assert.Equal(2.0, TextImageEvaluation.Diversity(triangle, 3), 5);
    }

    [Fact]
    public void SeenStringsAreTheRunsTrainingStringsAndUnseenOnesAreTestStrings()
    {
        var options = new CaptchaOptions();
        var seen = TextImageEvaluation.Strings(options, CaptchaSplit.Train, options.Seed);
        var unseen = TextImageEvaluation.Strings(options, CaptchaSplit.Test, options.Seed + 1);
        using var rendered = CaptchaSet.Render(options, CaptchaSplit.Train, TextImageEvaluation.StringsPerSet, options.Seed);
        Assert.Equal(rendered.Texts, seen);                                        // the first training images show them
        Assert.All(seen, s => Assert.Equal(CaptchaSplit.Train, CaptchaStrings.SplitOf(s)));
        Assert.All(unseen, s => Assert.Equal(CaptchaSplit.Test, CaptchaStrings.SplitOf(s)));
    }

    [Fact]
    public void RequestedStringsFollowTheSampleIndexAcrossBlocks()
    {
        var tokens = new TextTokens("ABC", 1);
        var g = new GuidedSampling(0, 0, 1, null, 0, tokens, ["A", "B", "C"]);
        using var gen = new Generator(1, CPU);
        using var labels = g.Labels(4, gen, CPU, first: 4);                       // samples 4..7 of a draw: B C A B
        Assert.Equal(["B", "C", "A", "B"], tokens.Decode(labels));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void ATinyTextRunIsScoredByTheOcrAtEveryWeightOfTheSweep()
    {
        var run = RunDirectory.Create(Path.Combine(TestTemp.Directory("gensharp-text-eval").FullName, "r"));
        var config = new ImageDdpmConfig
        {
            Training = new TrainingSettings { Data = "captcha" },
            Schedule = new NoiseScheduleConfig(Timesteps: 10),
            Sampler = new SamplerSpec("ddim", 2),
            Network = TextConditioningTests.TinyTextUNet(32, 96) with
            {
                Multipliers = [1, 2, 2], CrossAttentionResolutions = [16, 8],
                Text = new UNetTextConfig { Alphabet = CaptchaOptions.DefaultAlphabet, MaxLength = 4, Dim = 16, Heads = 2 },
            },
            Conditioning = new ConditioningConfig { Kind = ConditioningConfig.Text },
        };
        manual_seed(3);
        using var unet = new UNet(config.Network);
        var evaluation = new ImageEvaluationResult([], [], "", null, null, null, null, []);
        var request = new EvalRequest(32, 0, Quiet: true, Guidance: new GuidanceChoice(Sweep: [0, 2]));
        TextImageEvaluation.Extend(run, config, unet, request, CPU, evaluation);
        foreach (var key in new[] { "ocr_char_accuracy", "ocr_string_accuracy", "ocr_char_accuracy_unseen", "ocr_string_accuracy_unseen" })
            Assert.InRange(evaluation.Metrics[key]!.Value, 0, 1);
        Assert.Equal(1.0, evaluation.Json["guidance"]);
        var sweep = Assert.IsType<List<Dictionary<string, object?>>>(evaluation.Json["guidance_sweep"]);
        Assert.Equal([0.0, 2.0], sweep.Select(r => (double)r["guidance"]!));
        Assert.True(evaluation.Metrics["ocr_diversity_real"] > 0);
        foreach (var path in new[] { TextImageFigures.ReadGridPath(run), TextImageFigures.AttentionPath(run), TextImageFigures.SweepPath(run),
                     TextImageFigures.SummaryPath(run) })
            Assert.True(File.Exists(path), path);
        var html = new GenSharp.Output.HtmlReport("t");
        TextImageReport.AddSections(html, run);
        Assert.Contains("cross-attention", html.Render());
    }
}
