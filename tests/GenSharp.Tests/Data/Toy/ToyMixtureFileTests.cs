using GenSharp.Data.Toy;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Data.Toy;

public sealed class ToyMixtureFileTests
{
    private static string Write(string json)
    {
        string path = Path.Combine(TestTemp.Directory("gensharp-toy").FullName, "mixture.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void ThreeComponentFileLoadsAndSamplesItsWeights()
    {
        string path = Write("""
            {"name": "three", "components": [
              {"weight": 0.5, "mean": [0, 0], "cov": [[1, 0.3], [0.3, 2]]},
              {"weight": 0.3, "mean": [8, 0], "cov": [[0.5, 0], [0, 0.5]]},
              {"weight": 0.2, "mean": [0, 8], "cov": [[2, -1], [-1, 2]]}]}
            """);
        var mix = (GaussianMixture2D)ToyRegistry.Resolve(path);
        Assert.Equal("three", mix.Name);
        using var g = new Generator(1, CPU);
        var (_, k) = mix.SampleWithComponents(100_000, g);
        var counts = bincount(k, minlength: 3).to_type(ScalarType.Float64) / 100_000;
        Assert.Equal(0.5, counts[0].item<double>(), 0.006);
        Assert.Equal(0.3, counts[1].item<double>(), 0.006);
        Assert.Equal(0.2, counts[2].item<double>(), 0.006);
    }

    [Theory]
    [InlineData("{\"components\": []}", "empty")]
    [InlineData("{\"components\": [{\"weight\": 0.6, \"mean\": [0, 0], \"cov\": [[1, 0], [0, 1]]}]}", "sum to 0.6")]
    [InlineData("{\"components\": [{\"weight\": -1, \"mean\": [0, 0], \"cov\": [[1, 0], [0, 1]]}]}", "positive")]
    [InlineData("{\"components\": [{\"weight\": 1, \"mean\": [0, 0, 0], \"cov\": [[1, 0], [0, 1]]}]}", "\"mean\" must be 2 numbers")]
    [InlineData("{\"components\": [{\"weight\": 1, \"mean\": [0, 0], \"cov\": [[1, 0]]}]}", "2x2")]
    [InlineData("{\"components\": [{\"weight\": 1, \"mean\": [0, 0], \"cov\": [[1, 0.5], [0.2, 1]]}]}", "not symmetric")]
    [InlineData("{\"components\": [{\"weight\": 1, \"mean\": [0, 0], \"cov\": [[1, 2], [2, 1]]}]}", "not positive definite")]
    [InlineData("{\"components\": [ {\"weight\": 1,, } ]", "invalid JSON")]
    public void InvalidFilesGiveOneLineErrorsNamingTheFile(string json, string expected)
    {
        string path = Write(json);
        var e = Assert.ThrowsAny<GenSharpException>(() => ToyMixtureFile.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Fact]
    public void UnknownToyNameListsTheKnownOnes()
    {
        var e = Assert.Throws<ConfigException>(() => ToyRegistry.Resolve("spiral"));
        Assert.Contains("mog2", e.Message);
        Assert.Contains("swissroll", e.Message);
    }
}
