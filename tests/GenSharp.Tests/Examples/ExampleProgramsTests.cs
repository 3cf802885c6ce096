using System.Globalization;
using System.Text.Json;
using GenSharp.Data;
using GenSharp.Evaluation;
using GenSharp.Tests.Cli;
using static TorchSharp.torch;

namespace GenSharp.Tests.Examples;

/// <summary>Builds the three programs of examples/ (once, into one folder) as a user would; each test runs one.</summary>
public sealed class ExampleBuild
{
    public static readonly string[] Programs = ["ToyDdpm", "SampleImageRun", "FolderFd"];

    public ExampleBuild()
    {
        Output = TestTemp.Directory("gensharp-examples").FullName;
        foreach (string program in Programs)
        {
            var build = RepositoryTool.Run("dotnet", ["build", $"examples/{program}/{program}.csproj", "-c", RepositoryTool.Configuration,
                "-o", Output, "--nologo", "-v", "quiet"]);
            Assert.True(build.ExitCode == 0, $"building examples/{program}: {build.Out}{build.Err}");
        }
    }

    public string Output { get; }

    public (int ExitCode, string Out, string Err, double Seconds) Run(string program, params string[] args) =>
        RepositoryTool.Run("dotnet", [Path.Combine(Output, program + ".dll"), .. args], workingDirectory: Output);
}

/// <summary>examples/ compile against the library as it is and do what their comments say (docs/api.md).</summary>
[Trait("Category", "Slow")]
public sealed class ExampleProgramsTests(ExampleBuild build) : IClassFixture<ExampleBuild>
{
    [Fact]
    public void ToyDdpmTrainsSamplesAndScores()
    {
        string run = Path.Combine(TestTemp.Directory("gensharp-ex-toy").FullName, "toy");
        var result = build.Run("ToyDdpm", run, "300", "100");
        Assert.True(result.ExitCode == 0, result.Err + result.Out);
        Assert.Contains("DDIM, 50 steps: 1000 samples", result.Out);
        using var eval = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "eval.json")));
        var metrics = eval.RootElement.GetProperty("metrics");
        Assert.Equal(50, metrics.GetProperty("function_evaluations").GetDouble());
        // 300 steps already put the mixture's weights (0.7, 0.3) within 0.1 and the log-likelihood within half a nat of the truth's
        Assert.InRange(metrics.GetProperty("weight_error_max").GetDouble(), 0, 0.1);
        Assert.InRange(Math.Abs(metrics.GetProperty("loglik_gap").GetDouble()), 0, 0.5);
    }

    [SkippableFact]
    public void SampleImageRunDrawsWhatTheCliDraws()
    {
        Skip.IfNot(FashionMnist.IsAvailable(), "Fashion-MNIST is not installed (build/setup-debian.sh installs dataset-fashion-mnist)");
        string runs = TestTemp.Directory("gensharp-ex-img").FullName;
        var train = CliRunner.Run("train", "ddpm", "--data", "fashion-mnist", "--steps", "10", "--batch", "8", "--ch", "8", "--mults", "1,2",
            "--attn", "none", "--timesteps", "100", "--sample-every", "10", "--eval-every", "0", "--final-eval-n", "0", "--sampler-steps", "5",
            "--checkpoint-every", "10", "--runs", runs, "--name", "img", "--threads", "1", "--quiet");
        Assert.True(train.ExitCode == 0, train.Err + train.Out);
        string run = Path.Combine(runs, "img");

        string fromExample = Path.Combine(runs, "example");
        var result = build.Run("SampleImageRun", run, fromExample, "6", "3");
        Assert.True(result.ExitCode == 0, result.Err + result.Out);
        Assert.Contains("ddpm-image: 6 images, 20 network evaluations", result.Out);
        string fromCli = Path.Combine(runs, "cli");
        var cli = CliRunner.Run("sample", run, "--n", "6", "--seed", "3", "--sampler", "dpmpp", "--steps", "20", "-o", fromCli, "--threads", "1",
            "--quiet");
        Assert.True(cli.ExitCode == 0, cli.Err);

        // the same sampler, seed and weights: the same images, pixel for pixel
        using var a = PngFolder.Load(fromExample, channels: 1);
        using var b = PngFolder.Load(fromCli, channels: 1);
        Assert.Equal(new long[] { 6, 1, 28, 28 }, a.Images.shape);
        Assert.True(a.Images.allclose(b.Images, rtol: 0, atol: 0), "the example's images differ from `gensharp sample " +
            "--sampler dpmpp --steps 20`'s");
    }

    [SkippableFact]
    public void FolderFdIsZeroForOneFolderAndTheLibrarysValueForTwo()
    {
        Skip.IfNot(FashionMnist.IsAvailable(), "Fashion-MNIST is not installed (build/setup-debian.sh installs dataset-fashion-mnist)");
        string root = TestTemp.Directory("gensharp-ex-fd").FullName;
        string first = Path.Combine(root, "a"), second = Path.Combine(root, "b");
        using (var test = FashionMnist.Load(FashionMnistSplit.Test))
        {
            PngFolder.Write(test.Images.narrow(0, 0, 200), first);
            PngFolder.Write(test.Images.narrow(0, 200, 200), second);
        }

        var same = build.Run("FolderFd", first, first);
        Assert.True(same.ExitCode == 0, same.Err + same.Out);
        Assert.InRange(Fd(same.Out), -1e-6, 1e-6); // FD(P, P) = 0: equal means, Tr(2S - 2 (S S)^1/2) = 0

        var two = build.Run("FolderFd", first, second);
        Assert.True(two.ExitCode == 0, two.Err + two.Out);
        using var scope = NewDisposeScope();
        using var extractor = FeatureExtractor.Load();
        using var da = PngFolder.Load(first, channels: 1);
        using var db = PngFolder.Load(second, channels: 1);
        double expected = FrechetDistance.Compute(extractor.Extract(da.Images).Features, extractor.Extract(db.Images).Features);
        Assert.True(expected > 0.01, $"two different sets of 200 images: FD {expected} should be clearly positive");
        Assert.Equal(expected, Fd(two.Out), expected * 1e-6);
        Assert.Contains("n_a 200, n_b 200, features fmnist-features-v1", two.Out);
    }

    private static double Fd(string output) =>
        double.Parse(output.Split('\n').Single(l => l.StartsWith("FD ", StringComparison.Ordinal))[3..], CultureInfo.InvariantCulture);
}
