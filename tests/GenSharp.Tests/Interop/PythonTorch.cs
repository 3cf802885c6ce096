using System.Diagnostics;

namespace GenSharp.Tests.Interop;

/// <summary>
/// A python3 that can import torch (Debian's python3-torch, installed by build/setup-debian.sh), for the PyTorch interop tests.
/// The first python3 on PATH may be another interpreter (pyenv) without torch, so /usr/bin/python3 is tried too.
/// </summary>
internal static class PythonTorch
{
    private static readonly Lazy<string?> Found = new(Find);

    /// <summary>The interpreter, or null when none imports torch (the tests then skip, saying so).</summary>
    public static string? Interpreter => Found.Value;

    public const string Missing = "no python3 with torch (apt-get install python3-torch, or run build/setup-debian.sh)";

    /// <summary>Runs <paramref name="interpreter"/> with <paramref name="arguments"/>; exit code, stdout and stderr.</summary>
    public static (int Code, string Out, string Err) Run(string interpreter, IEnumerable<string> arguments, int timeoutSeconds = 300)
    {
        var info = new ProcessStartInfo(interpreter) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in arguments) info.ArgumentList.Add(a);
        info.Environment["OMP_NUM_THREADS"] = "1";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeoutSeconds * 1000))
        {
            process.Kill(entireProcessTree: true);
            return (-1, stdout.Result, stderr.Result + $"\n(killed after {timeoutSeconds} s)");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static string? Find()
    {
        foreach (string candidate in new[] { "python3", "/usr/bin/python3" })
        {
            try
            {
                if (Run(candidate, ["-c", "import torch"], 120).Code == 0) return candidate;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // not installed under that name
            }
        }
        return null;
    }
}
