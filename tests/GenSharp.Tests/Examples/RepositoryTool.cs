using System.Diagnostics;

namespace GenSharp.Tests.Examples;

/// <summary>Runs dotnet (or any program) from the repository's root for tests that build, pack or install it.</summary>
internal static class RepositoryTool
{
    /// <summary>The checkout's root: the folder above the test assembly that holds GenSharp.slnx.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The build configuration the tests were built with (Release or Debug), read from the test assembly's path.</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Split(Path.DirectorySeparatorChar).Contains("Debug") ? "Debug" : "Release";

    public static (int ExitCode, string Out, string Err, double Seconds) Run(string program, IEnumerable<string> args,
        string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory ?? Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string a in args) info.ArgumentList.Add(a);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var limit = timeout ?? TimeSpan.FromMinutes(10);
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', args)} did not finish within {limit}");
        }
        return (process.ExitCode, stdout.Result, stderr.Result, clock.Elapsed.TotalSeconds);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GenSharp.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"no GenSharp.slnx above {AppContext.BaseDirectory}");
    }
}
