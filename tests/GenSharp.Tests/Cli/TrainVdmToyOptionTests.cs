namespace GenSharp.Tests.Cli;

/// <summary><c>train vdm</c> refuses, in one line and before any data are read, options that do not apply to the data it was given.</summary>
public sealed class TrainVdmToyOptionTests
{
    [Theory]
    [InlineData("toy:moons", "--ch", "16", "--ch applies to image data only, and --data is toy:moons")]
    [InlineData("toy:moons", "--fourier-features", null, "--fourier-features applies to image data only")]
    [InlineData("fashion-mnist", "--hidden", "16", "--hidden applies to toy data only, and --data is fashion-mnist")]
    [InlineData("fashion-mnist", "--bound-points", "500", "--bound-points applies to toy data only")]
    [InlineData("toy:moons", "--bound-points", "10", "--bound-points 10: the bound needs 100 to")]
    [InlineData("toy:moons", "--sample-steps", "0", "--sample-steps 0: the ancestral sampler needs 1 to")]
    public void OptionsThatDoNotApplyAreRefusedInOneLine(string data, string option, string? value, string expected)
    {
        string runs = TestTemp.Directory("gensharp-vdmtoy-options").FullName;
        string[] args = ["train", "vdm", "--runs", runs, "--data", data, option, .. value is null ? Array.Empty<string>() : [value], "--quiet"];
        var r = CliRunner.Run(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(expected, r.Err);
        Assert.Single(r.Err.Trim().Split('\n'));
        Assert.Empty(Directory.GetDirectories(runs));   // nothing created
    }
}
