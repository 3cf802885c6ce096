using GenSharp.Diffusion.Conditioning;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Diffusion.Conditioning;

/// <summary>Label dropout drops at the configured rate, only to the null label K, which is never one of the real labels 0..K-1.</summary>
public sealed class LabelDropoutTests
{
    [Theory]
    [InlineData(0.1)]
    [InlineData(0.25)]
    public void LabelsAreDroppedAtTheConfiguredRateAndOnlyToTheNullLabel(double p)
    {
        const int n = 200_000, k = 10;
        using var g = new Generator(1, CPU);
        using var labels = randint(0, k, [n], generator: g);
        using var dropped = LabelDropout.Apply(labels, p, k, g);
        using var isNull = dropped == k;
        double rate = isNull.to_type(ScalarType.Float64).mean().item<double>();
        double sd = Math.Sqrt(p * (1 - p) / n); // binomial standard error
        Assert.InRange(rate, p - 5 * sd, p + 5 * sd);
        using var kept = dropped.masked_select(isNull.logical_not());
        using var original = labels.masked_select(isNull.logical_not());
        // a label that is not dropped is unchanged
        Assert.True(kept.shape.SequenceEqual(original.shape) && (kept == original).all().item<bool>());
        Assert.Equal(0, (labels == k).sum().item<long>());     // the null label is not a real class
    }

    [Fact]
    public void RateZeroKeepsEveryLabelAndTheNullLabelIsK()
    {
        using var g = new Generator(2, CPU);
        using var labels = randint(0, 3, [1000], generator: g);
        using var kept = LabelDropout.Apply(labels, 0, 3, g);
        Assert.True(kept.shape.SequenceEqual(labels.shape) && (kept == labels).all().item<bool>());
        var config = new ConditioningConfig { ClassNames = ["a", "b", "c"] }.Validate();
        Assert.Equal(3, config.NullLabel);
        Assert.Equal(3, config.Classes);
        Assert.Equal(1, config.Resolve("B"));
        Assert.Equal(2, config.Resolve("2"));
        Assert.Throws<ConfigException>(() => config.Resolve("3"));       // the null label cannot be requested
        Assert.Throws<ConfigException>(() => config.Resolve("Sandal"));
    }

    [Fact]
    public void AMissingConditioningIsAbsentFromConfigJsonSoUnconditionalConfigsAreUnchanged()
    {
        var plain = new GenSharp.Diffusion.Images.ImageDdpmConfig();
        string json = System.Text.Json.JsonSerializer.Serialize(plain, GenSharp.JsonDefaults.Options);
        Assert.DoesNotContain("conditioning", json);
        var conditional = plain with { Conditioning = new ConditioningConfig { ClassNames = ["a", "b"], PUncond = 0.2 } };
        string text = System.Text.Json.JsonSerializer.Serialize(conditional, GenSharp.JsonDefaults.Options);
        var back = System.Text.Json.JsonSerializer.Deserialize<GenSharp.Diffusion.Images.ImageDdpmConfig>(text, GenSharp.JsonDefaults.Options)!;
        Assert.Equal(0.2, back.Conditioning!.PUncond);
        Assert.Equal(["a", "b"], back.Conditioning.ClassNames);
    }
}
