using GenSharp.Tests.Cli;
using GenSharp.Training;

namespace GenSharp.Tests.Reliability;

/// <summary>Item 2: a run name is one path component, and a fresh run never takes over a folder of other files.</summary>
public sealed class RunNameTests
{
    [Theory]
    [InlineData("../x", "path separator")]
    [InlineData("/abs", "path separator")]
    [InlineData("a/b", "path separator")]
    [InlineData("", "is empty")]
    [InlineData("  ", "is blank")]
    [InlineData("..", "not a folder name")]
    [InlineData(".", "not a folder name")]
    [InlineData("a\tb", "control characters")]
    [InlineData("a\nb", "control characters")]
    public void BadNamesAreRefusedWithExitCode2AndNothingIsCreated(string name, string why)
    {
        string runs = SpecialFiles.TempDir();
        foreach (string model in new[] { "ddpm", "ncsn", "gan", "vae" })
        {
            var (rc, _, err) = CliRunner.Run("train", model, "--runs", runs, "--name", name);
            Assert.Equal(2, rc);
            Assert.Contains(why, err);
            Assert.Single(err.TrimEnd().Split('\n'));
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(runs));
    }

    [Fact]
    public void AFolderOfOtherFilesNeverBecomesARun()
    {
        string runs = SpecialFiles.TempDir();
        string mine = Directory.CreateDirectory(Path.Combine(runs, "photos")).FullName;
        File.WriteAllText(Path.Combine(mine, "holiday.txt"), "x");
        var (rc, _, err) = CliRunner.Run("train", "ddpm", "--data", "toy:mog2", "--runs", runs, "--name", "photos", "--steps", "1");
        Assert.Equal(2, rc);
        Assert.Contains("not a GenSharp run", err);
        Assert.Equal("holiday.txt", Path.GetFileName(Assert.Single(Directory.EnumerateFileSystemEntries(mine))));
        Assert.Throws<ConfigException>(() => RunName.Check("x/y"));
        Assert.Equal(Path.Combine("runs", "ok-1"), RunName.Under("runs", "ok-1"));
    }
}
