using GenSharp.Data;
using GenSharp.Tests.Cli;

namespace GenSharp.Tests.Data;

public sealed class DataSpecTests
{
    /// <summary>A folder with links to the installed Fashion-MNIST IDX files (or null when it is not installed).</summary>
    private static string? IdxFolder()
    {
        if (!FashionMnist.IsAvailable()) return null;
        string dir = TestTemp.Directory("gensharp-idx").FullName;
        foreach (string f in FashionMnist.FileNames)
            File.CreateSymbolicLink(Path.Combine(dir, f), Path.Combine(FashionMnist.DefaultDirectory, f));
        return dir;
    }

    /// <summary>Reported (as a skip) when the half of a test that needs the installed IDX files could not run.</summary>
    private const string NoIdxHalf = "Fashion-MNIST is not installed (./test.sh installs it): only the half without the IDX files ran";

    [Fact]
    public void PrefixedFormsParseToTheirKindAndBackToTheSameText()
    {
        Assert.Equal(new DataSpec.Toy("mog2"), DataSpec.Parse("toy:mog2"));
        Assert.Equal(new DataSpec.Toy("a/b.json"), DataSpec.Parse("toy:a/b.json"));
        Assert.Equal(new DataSpec.FashionMnistFiles(null), DataSpec.Parse("fashion-mnist"));
        Assert.Equal(new DataSpec.FashionMnistFiles("/x/y"), DataSpec.Parse("fashion-mnist:/x/y"));
        Assert.Equal(new DataSpec.PngImages("/x/y"), DataSpec.Parse("png:/x/y"));
        foreach (string s in new[] { "toy:mog2", "fashion-mnist", "fashion-mnist:/x/y", "png:/x/y" })
            Assert.Equal(s, DataSpec.Parse(s).Canonical);
    }

    [Theory]
    [InlineData("mnist", "unknown data; use toy:NAME")]
    [InlineData("png:", "give a folder of .png images after 'png:'")]
    [InlineData("fashion-mnist:", "give the folder that holds the IDX files")]
    [InlineData("toy:", "give a toy name")]
    public void UnknownOrEmptySpecsSayWhatToWrite(string spec, string expected)
    {
        var e = Assert.ThrowsAny<GenSharpException>(() => DataSpec.Parse(spec));
        Assert.Contains(expected, e.Message);
    }

    [SkippableFact]
    public void APlainFolderIsFashionMnistIfItHoldsTheIdxFilesAndAPngFolderIsToldToUsePng()
    {
        string? idx = IdxFolder();
        if (idx is not null)
        {
            Assert.Equal(new DataSpec.FashionMnistFiles(idx), DataSpec.Parse(idx));
            Assert.Equal("fashion-mnist:" + idx, DataSpec.Parse(idx).Canonical);
            Assert.Equal(idx, DataSpec.FashionMnistDirectory(idx));
            Assert.Equal(idx, DataSpec.FashionMnistDirectory("fashion-mnist:" + idx));
        }
        Assert.Null(DataSpec.FashionMnistDirectory("fashion-mnist"));
        Assert.Null(DataSpec.FashionMnistDirectory(null));

        string png = TestTemp.Directory("gensharp-png").FullName;
        Directory.CreateDirectory(Path.Combine(png, "cats"));
        File.WriteAllBytes(Path.Combine(png, "cats", "a.png"), [0x89, (byte)'P', (byte)'N', (byte)'G']);
        var e = Assert.Throws<ConfigException>(() => DataSpec.Parse(png));
        Assert.Contains($"holds PNG images but not the Fashion-MNIST IDX files; for the images use --data png:{png}", e.Message);
        Assert.Contains("Fashion-MNIST only", Assert.Throws<ConfigException>(() => DataSpec.FashionMnistDirectory("png:" + png)).Message);
        Assert.Contains("Fashion-MNIST only", Assert.Throws<ConfigException>(() => DataSpec.FashionMnistDirectory("toy:mog2")).Message);

        string empty = TestTemp.Directory("gensharp-empty").FullName;
        Assert.Contains("neither the Fashion-MNIST IDX files", Assert.Throws<DataFileException>(() => DataSpec.Parse(empty)).Message);
        // a path that does not exist goes to the loader, which says how to install the data
        Assert.Equal(new DataSpec.FashionMnistFiles("/no/such/dir"), DataSpec.Parse("/no/such/dir"));
        Skip.If(idx is null, NoIdxHalf);
    }

    [SkippableFact]
    public void EveryCommandAcceptsAPlainIdxFolderAndRefusesAPngFolderWithTheHint()
    {
        string? idx = IdxFolder();
        if (idx is not null)
        {
            var info = CliRunner.Run("info", "--json", "--threads", "1", "--data", "fashion-mnist:" + idx);
            Assert.True(info.ExitCode == 0, info.Err);
            Assert.Contains("\"fashion_mnist_found\":true", info.Out);
        }
        string png = TestTemp.Directory("gensharp-png").FullName;
        File.WriteAllBytes(Path.Combine(png, "a.png"), [0x89, (byte)'P', (byte)'N', (byte)'G']);
        foreach (var verb in new[] { new[] { "train", "ddpm" }, ["train", "ncsn"] })
        {
            var (rc, _, err) = CliRunner.Run([.. verb, "--data", png, "--runs", Path.GetTempPath(), "--threads", "1", "--quiet"]);
            Assert.Equal(2, rc);
            Assert.Contains($"use --data png:{png}", err);
        }
        Skip.If(idx is null, NoIdxHalf);
    }
}

/// <summary>train ddpm on a plain folder of Fashion-MNIST IDX files (docs/data.md#fashion-mnist: --data DIR), with a tiny U-Net.</summary>
[Collection("training")]
[Trait("Category", "Slow")]
public sealed class DataFolderTrainingTests
{
    [Fact]
    public void TrainDdpmAcceptsAPlainIdxFolderAndStoresItAsFashionMnistDir()
    {
        Assert.True(FashionMnist.IsAvailable(), "Fashion-MNIST must be installed for the tests (./test.sh does it)");
        string idx = TestTemp.Directory("gensharp-idx").FullName;
        foreach (string f in FashionMnist.FileNames)
            File.CreateSymbolicLink(Path.Combine(idx, f), Path.Combine(FashionMnist.DefaultDirectory, f));
        string runs = TestTemp.Directory("gensharp-idx-runs").FullName;
        var r = CliRunner.Run("train", "ddpm", "--data", idx, "--runs", runs, "--steps", "2", "--batch", "4", "--ch", "8",
            "--mults", "1,2", "--attn", "none", "--timesteps", "10", "--sample-every", "2", "--eval-every", "0", "--final-eval-n", "0",
            "--sampler-steps", "2", "--checkpoint-every", "2", "--threads", "1", "--quiet");
        Assert.True(r.ExitCode == 0, r.Err);
        string config = File.ReadAllText(Path.Combine(runs, "ddpm-fashion-mnist", "config.json"));
        Assert.Contains($"\"data\": \"fashion-mnist:{idx}\"", config);
    }
}
