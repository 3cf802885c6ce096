using System.Globalization;
using GenSharp.Data.Captcha;
using GenSharp.Evaluation;
using GenSharp.Evaluation.Ocr;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Evaluation.Ocr;

/// <summary>The committed CAPTCHA OCR (models/captcha-ocr-v1.safetensors, docs/captcha.md#ocr) and its feature space. Nothing is
/// retrained.</summary>
public sealed class CaptchaOcrTests
{
    /// <summary>
    /// At least 99 % of the CAPTCHAs of unseen (test) strings are read whole (the first 1,000 of the 5,000 train-ocr scored, so
    /// the accuracy is within 0.006 of the recorded one: its standard error at 0.998 and n = 1,000 is 0.0014), and
    /// <see cref="CaptchaOcr.Read"/> agrees with <see cref="CaptchaOcrTraining.Evaluate"/>.
    /// </summary>
    [Trait("Category", "Slow")]
    [Fact]
    public void CommittedWeightsReadAtLeast99PercentOfUnseenStringsWhole()
    {
        var (model, metadata, _) = CaptchaOcrWeights.Load();
        using (model)
        {
            using var test = CaptchaSet.Render(new CaptchaOptions(), CaptchaSplit.Test, 1000, seed: 1);
            var accuracy = CaptchaOcrTraining.Evaluate(model, test, CPU);
            Assert.True(accuracy.Strings >= 0.99, $"{CaptchaOcrConfig.Version} reads {accuracy.Strings:P2} of unseen strings whole, below 99 %");
            Assert.True(accuracy.Characters >= 0.995, $"{CaptchaOcrConfig.Version} reads {accuracy.Characters:P2} of characters, below 99.5 %");
            Assert.Equal(double.Parse(metadata["test_string_accuracy"], CultureInfo.InvariantCulture), accuracy.Strings, 0.006);
            using var noGrad = no_grad();
            int whole = 0;
            for (int start = 0; start < 1000; start += 500)
            {
                using var scope = NewDisposeScope();
                string[] read = model.Read(model.call(test.Images.narrow(0, start, 500)));
                whole += read.Where((s, i) => s == test.Texts[start + i]).Count();
            }
            Assert.Equal(accuracy.Strings, whole / 1000.0, 9);
        }
    }

    [Fact]
    public void CommittedWeightsMatchTheirRecordedChecksumAndAModifiedCopyIsRefused()
    {
        string models = Path.Combine(FeatureClassifierTestsRoot(), "models");
        string[] record = File.ReadAllText(Path.Combine(models, CaptchaOcrConfig.FileName + ".sha256")).Trim().Split("  ");
        Assert.Equal(CaptchaOcrConfig.FileName, record[1]);
        Assert.Equal(record[0], FeatureExtractor.Sha256Of(Path.Combine(models, CaptchaOcrConfig.FileName)));
        Assert.Equal(CaptchaOcrConfig.Sha256, record[0]);

        string modified = Path.Combine(TestTemp.Directory("gensharp-ocrmod").FullName, CaptchaOcrConfig.FileName);
        File.Copy(FeatureExtractor.DefaultPath(CaptchaOcrConfig.FileName), modified);
        var bytes = File.ReadAllBytes(modified);
        bytes[^1] ^= 0x01;
        File.WriteAllBytes(modified, bytes);
        var e = Assert.Throws<DataFileException>(() => CaptchaOcrWeights.Load(modified));
        Assert.Contains($"git checkout -- models/{CaptchaOcrConfig.FileName}", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    /// <summary>With uniform logits every position's cross-entropy is ln K (label smoothing leaves it unchanged): the loss is L ln K.</summary>
    [Fact]
    public void TheLossOfUniformLogitsIsLengthTimesLogAlphabetSize()
    {
        using var scope = NewDisposeScope();
        var logits = zeros(3, 4, 32);
        var chars = tensor(new long[] { 0, 5, 31, 7, 1, 2, 3, 4, 9, 9, 9, 9 }).reshape(3, 4);
        Assert.Equal(4 * Math.Log(32), CaptchaOcrTraining.Loss(logits, chars).item<float>(), 5);
        // Logit 100 on the truth, 0 elsewhere: log p = 0 on the truth and -100 on the K - 1 others, and the smoothed target puts
        // 0.1 / K on each class, so each position's cross-entropy is 0.1 (K - 1) / K * 100.
        var sure = nn.functional.one_hot(chars, 32).to_type(ScalarType.Float32) * 100;
        double expected = 4 * 0.1 * (31.0 / 32) * 100;
        Assert.Equal(expected, CaptchaOcrTraining.Loss(sure, chars).item<float>(), 2);
    }

    /// <summary>A run on --data captcha is scored in the OCR's feature space; Fashion-MNIST runs keep fmnist-features-v1.</summary>
    [Fact]
    public void CaptchaRunsAreScoredInTheOcrFeatureSpace()
    {
        var notes = new StringWriter();
        using (var ocr = FeatureExtractor.TryLoadFor("captcha:n=50,heldout=20", [1, 32, 96], notes))
        {
            Assert.NotNull(ocr);
            Assert.Equal(CaptchaOcrConfig.Version, ocr.Version);
            using var set = CaptchaSet.Render(new CaptchaOptions(), CaptchaSplit.Test, 8, seed: 1);
            var (features, logits) = ocr.Extract(set.Images);
            using (features)
            using (logits)
            {
                Assert.Equal(new long[] { 8, new CaptchaOcrConfig().FeatureDim }, features.shape);
                Assert.Equal(new long[] { 8, 32 }, logits.shape);
            }
            Assert.Throws<ConfigException>(() => ocr.Extract(zeros(2, 1, 28, 28)));
        }
        Assert.Null(FeatureExtractor.TryLoadFor("captcha:length=5", [1, 32, 96], notes));
        Assert.Contains("FD is skipped", notes.ToString());
        using var fmnist = FeatureExtractor.TryLoadFor("fashion-mnist", [1, 28, 28], notes);
        Assert.Equal(FeatureClassifierConfig.Version, fmnist!.Version);
    }

    /// <summary>
    /// The CAPTCHA floor: n CAPTCHAs of training strings against n of test strings are far closer in the OCR's feature space than
    /// uniform noise is (docs/captcha.md#fd). Measured at n = 300: floor 38.7, ceiling 368 (FD's bias at n = 300 in 256
    /// dimensions is a large part of the floor).
    /// </summary>
    [Trait("Category", "Slow")]
    [Fact]
    public void TheRealVsRealFloorIsFarBelowTheNoiseCeiling()
    {
        using var ocr = FeatureExtractor.LoadCaptchaOcr();
        var r = ReferenceBaselines.ComputeFor(ocr, "captcha:n=300,heldout=300", 300, seed: 0);
        double floor = r.RealVsReal.ToDictionary()["fd"]!.Value, ceiling = r.NoiseVsReal.ToDictionary()["fd"]!.Value;
        Assert.True(floor > 0 && floor < ceiling / 5, $"floor {floor:G4}, ceiling {ceiling:G4}");
    }

    private static string FeatureClassifierTestsRoot() => GenSharp.Tests.Evaluation.FeatureClassifierTests.RepositoryRoot();
}
