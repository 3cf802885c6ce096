namespace GenSharp.Tests.Cli;

/// <summary>
/// <c>train ddpm --prediction --loss-weighting</c> (docs/ddpm.md#objective): what cannot be honoured is a one-line error (exit 2) before
/// any run folder exists.
/// </summary>
public sealed class TrainDdpmObjectiveCliTests
{
    [Theory]
    [InlineData(new[] { "--data", "toy:mog2", "--prediction", "x0" }, "--prediction x0: use epsilon, v or edm")]
    [InlineData(new[] { "--data", "toy:mog2", "--prediction", "edm", "--loss-weighting", "min-snr:5" },
        "--loss-weighting min-snr:5: --prediction edm has its own weighting")]
    [InlineData(new[] { "--data", "fashion-mnist", "--prediction", "edm", "--condition", "class" },
        "--prediction edm: class-conditional runs predict epsilon only")]
    [InlineData(new[] { "--data", "toy:mog2", "--loss-weighting", "snr" }, "--loss-weighting snr: use none or min-snr:GAMMA")]
    [InlineData(new[] { "--data", "toy:mog2", "--prediction", "v", "--condition", "component" },
        "--prediction v: class-conditional runs predict epsilon only")]
    [InlineData(new[] { "--data", "toy:mog2", "--resume", "--prediction", "v" }, "--prediction with --resume: a resumed run keeps the objective")]
    public void WhatCannotBeHonouredIsAOneLineErrorBeforeAnyRunExists(string[] args, string expected)
    {
        string runs = TestTemp.Directory("gensharp-objective-cli").FullName;
        var (rc, _, err) = CliRunner.Run(["train", "ddpm", "--runs", runs, "--name", "x", "--quiet", .. args]);
        Assert.Equal(2, rc);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains(expected, err);
        Assert.False(Directory.Exists(Path.Combine(runs, "x")), "a refused run left a folder");
    }
}
