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
        string empty = Directory.CreateTempSubdirectory("gensharp-notrun").FullName;
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
