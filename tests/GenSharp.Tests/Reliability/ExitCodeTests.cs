using System.CommandLine;
using GenSharp.Cli;
using GenSharp.Tests.Cli;

namespace GenSharp.Tests.Reliability;

/// <summary>Item 9: every failure is one line and a documented exit code (README, "Exit codes").</summary>
public sealed class ExitCodeTests
{
    private static (int Code, string Err) RunThrowing(Exception e)
    {
        var root = new RootCommand();
        var command = new Command("boom");
        command.SetAction(new Func<ParseResult, int>(_ => throw e));
        root.Subcommands.Add(command);
        var err = new StringWriter();
        int code = Program.Execute(root, ["boom"], new StringWriter(), err);
        return (code, err.ToString());
    }

    [Fact]
    public void TheFiveExitCodes()
    {
        Assert.Equal(0, CliRunner.Run("lab", "ncsnv2", "--dim", "784").ExitCode);
        var internalError = RunThrowing(new InvalidOperationException("bug"));
        Assert.Equal(1, internalError.Code);
        Assert.StartsWith("internal error: ", internalError.Err);
        var native = RunThrowing(new System.Runtime.InteropServices.ExternalException(
            "Expected false to be true, but got false.  (Could this error message be improved?  If so, please report.) " +
            "Exception raised from toFloat at /pytorch/c10/core/Scalar.h:140 (most recent call first):\nframe #0: c10::Error::Error"));
        Assert.Equal(1, native.Code);
        Assert.Single(native.Err.TrimEnd().Split('\n'));
        Assert.DoesNotContain("frame #", native.Err);
        Assert.Contains("Expected false to be true, but got false.", native.Err);
        Assert.Equal(2, RunThrowing(new ConfigException("bad input")).Code);
        var (cuda, _, cudaErr) = CliRunner.Run("info", "--device", "cuda");
        Assert.Equal(3, cuda);
        Assert.Contains("CUDA is not available", cudaErr);
        Assert.Equal(4, RunThrowing(new GenSharpException("training diverged at step 3", 4)).Code);
    }

    [Theory]
    [InlineData("--steps", "abc", "expected a whole number")]
    [InlineData("--batch", "99999999999", "expected a whole number from -2147483648 to 2147483647")]
    [InlineData("--lr", "fast", "expected a number")]
    public void ABadOptionValueIsOneLineWithoutDotNetTypeNames(string option, string value, string expected)
    {
        var (rc, _, err) = CliRunner.Run("train", "ddpm", "--data", "toy:mog2", option, value);
        Assert.Equal(2, rc);
        Assert.Contains($"{option} '{value}': {expected}", err);
        Assert.DoesNotContain("System.", err);
        Assert.DoesNotContain("Nullable", err);
    }

    [Fact]
    public void AllocationFailuresAreBadInputNotCrashes()
    {
        var managed = RunThrowing(new OutOfMemoryException());
        Assert.Equal(2, managed.Code);
        Assert.StartsWith("error: out of memory", managed.Err);
        var native = RunThrowing(new System.Runtime.InteropServices.ExternalException(
            "[enforce fail at alloc_cpu.cpp:117] data. DefaultCPUAllocator: not enough memory: you tried to allocate 8000000000000 bytes.\n" +
            "Exception raised from alloc_cpu at /pytorch/c10/core/impl/alloc_cpu.cpp:117 (most recent call first):\nframe #0: c10::Error"));
        Assert.Equal(2, native.Code);
        Assert.Single(native.Err.TrimEnd().Split('\n'));
        Assert.DoesNotContain("frame #", native.Err);
        Assert.Contains("(7450.6 GiB)", native.Err);
    }

    [Theory]
    [InlineData("--threads", "10000", "at most")]
    [InlineData("--mults", "99999999999", "expected comma-separated integers")]
    public void SizeOptionsHaveLimits(string option, string value, string expected)
    {
        string runs = SpecialFiles.TempDir();
        var (rc, _, err) = CliRunner.Run("train", "ddpm", "--data", "fashion-mnist", "--runs", runs, option, value);
        Assert.Equal(2, rc);
        Assert.Contains(expected, err);
        Assert.Empty(Directory.EnumerateFileSystemEntries(runs));
    }

    [Theory]
    [InlineData("gan", "--z-dim", "2000000000")]
    [InlineData("gan", "--epochs", "2000000000")]
    [InlineData("vae", "--width", "2000000000")]
    [InlineData("vae", "--latent-dim", "2000000000")]
    [InlineData("vae", "--epochs", "2000000000")]
    public void GanAndVaeSizesHaveLimits(string family, string option, string value)
    {
        string runs = SpecialFiles.TempDir();
        var (rc, _, err) = CliRunner.Run("train", family, "--runs", runs, option, value);
        Assert.Equal(2, rc);
        Assert.Contains($"{option} {value}: must be from", err);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.Empty(Directory.EnumerateFileSystemEntries(runs));
    }
}
