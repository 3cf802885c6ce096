using GenSharp.Data;
using GenSharp.Evaluation;
using static TorchSharp.torch;

namespace GenSharp.Tests.Evaluation;

/// <summary>
/// The classifier two-sample test (docs/evaluation.md#c2st) at its two ends: real against real is 0.5 up to the binomial error (here
/// 400 held-out images, standard error 0.025), uniform noise against real images is told apart almost always.
/// </summary>
[Trait("Category", "Slow")]
public sealed class ClassifierTwoSampleTestTests
{
    [Fact]
    public void RealAgainstRealIsNearHalfAndNoiseAgainstRealNearOne()
    {
        using var scope = NewDisposeScope();
        using var train = FashionMnist.Load(FashionMnistSplit.Train, null, PixelRange.MinusOneToOne, limit: 400);
        using var test = FashionMnist.Load(FashionMnistSplit.Test, null, PixelRange.MinusOneToOne, limit: 400);
        var realVsReal = ClassifierTwoSampleTest.Run(train.Images, test.Images, seed: 1);
        Assert.Equal(400, realVsReal.HeldOut);
        Assert.True(Math.Abs(realVsReal.Accuracy - 0.5) < 4 * realVsReal.StandardError,
            $"real vs real: accuracy {realVsReal.Accuracy} is not 0.5 within 4 standard errors ({realVsReal.StandardError})");

        using var g = new Generator(2, CPU);
        var noise = rand([400, 1, 28, 28], generator: g) * 2 - 1;
        var noiseVsReal = ClassifierTwoSampleTest.Run(noise, test.Images, seed: 1);
        Assert.True(noiseVsReal.Accuracy > 0.97, $"noise vs real: accuracy {noiseVsReal.Accuracy}");
    }

    [Fact]
    public void TooFewImagesIsOneLine()
    {
        using var a = zeros(10, 1, 28, 28);
        Assert.Throws<ConfigException>(() => ClassifierTwoSampleTest.Run(a, a, 0));
    }
}
