namespace GenSharp.Tests.Cli;

public sealed class CliErrorTests
{
    [Theory]
    [InlineData("toy:nope", "unknown toy")]
    [InlineData("toy:/no/such/file.json", "mixture file not found")]
    [InlineData("fashion-mnist:/no/such/dir", "Fashion-MNIST not found in /no/such/dir")]
    [InlineData("png:/no/such/dir", "folder not found")]
    [InlineData("mnist", "unknown data; use toy:NAME, toy:FILE.json, fashion-mnist, fashion-mnist:DIR, png:DIR")]
    public void BadDataIsOneLineWithExitCode2(string data, string expected)
    {
        var (rc, _, err) = CliRunner.Run("train", "ddpm", "--data", data, "--runs", Path.GetTempPath(), "--quiet");
        Assert.Equal(2, rc);
        Assert.Contains(expected, err);
        Assert.DoesNotContain('\n', err.Trim());
        Assert.StartsWith("error: ", err);
    }

    [Fact]
    public void SampleAndEvalOfSomethingThatIsNotARunAreClearErrors()
    {
        string empty = TestTemp.Directory("gensharp-notrun").FullName;
        var (rc, _, err) = CliRunner.Run("sample", empty, "--n", "10");
        Assert.Equal(2, rc);
        Assert.Contains("not a GenSharp run directory", err);
        (rc, _, err) = CliRunner.Run("eval", Path.Combine(empty, "missing"));
        Assert.Equal(2, rc);
        Assert.Contains("does not exist", err);
    }

    [Fact]
    public void HelpListsTheVerbsWithExamples()
    {
        var (rc, output, _) = CliRunner.Run("--help");
        Assert.Equal(0, rc);
        foreach (var verb in new[] { "info", "demo", "train", "sample", "eval" }) Assert.Contains(verb, output);
        Assert.Contains("Examples", output);
        (rc, output, _) = CliRunner.Run("train", "ddpm", "--help");
        Assert.Equal(0, rc);
        Assert.Contains("--resume", output);
        Assert.Contains("Examples", output);
    }
}

public sealed class CorruptDatasetCliTests
{
    /// <summary>
    /// A Fashion-MNIST folder whose training images are truncated (or whose labels file has a wrong magic number):
    /// <c>train ddpm</c> says so in one line naming the file, exits 2, and leaves no run directory behind.
    /// </summary>
    [Theory]
    [InlineData("train-images-idx3-ubyte.gz", "truncate")]
    [InlineData("train-labels-idx1-ubyte.gz", "magic")]
    public void A_corrupt_idx_file_is_one_line_naming_the_file_with_exit_code_2(string file, string damage)
    {
        string source = GenSharp.Data.FashionMnist.DefaultDirectory;
        Assert.True(File.Exists(Path.Combine(source, file)), "dataset-fashion-mnist is not installed (./test.sh installs it)");
        string dir = TestTemp.Directory("gensharp-badidx").FullName;
        foreach (var f in Directory.GetFiles(source, "*-ubyte.gz")) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
        string target = Path.Combine(dir, file);
        if (damage == "truncate")
        {
            using var s = new FileStream(target, FileMode.Open);
            s.SetLength(s.Length / 2);
        }
        else
        {
            using var gz = new System.IO.Compression.GZipStream(File.Create(target), System.IO.Compression.CompressionLevel.Fastest);
            gz.Write([0, 0, 9, 9, 0, 0, 0, 10]); // magic 0x00000909 is not an IDX magic number
        }
        string runs = TestTemp.Directory("gensharp-badidx-runs").FullName;

        var (rc, _, err) = CliRunner.Run("train", "ddpm", "--data", $"fashion-mnist:{dir}", "--runs", runs, "--name", "x", "--steps", "1",
            "--quiet", "--threads", "1");

        Assert.Equal(2, rc);
        Assert.StartsWith("error: ", err);
        Assert.DoesNotContain('\n', err.Trim());
        Assert.Contains(file, err);
        Assert.False(Directory.Exists(Path.Combine(runs, "x")), "a run directory was left behind");
    }
}
