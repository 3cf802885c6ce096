using GenSharp.Diffusion.Toy;
using GenSharp.Files;
using GenSharp.Output;
using GenSharp.Training;

namespace GenSharp.Cli;

/// <summary>
/// Checks <c>sample</c>'s request before any sampling starts: <c>--n</c> within its limit, and an <c>-o</c> that is neither
/// one of the run's own files (config, checkpoints, metrics, report, ...) nor something other than a new or regular file
/// (2D runs) or a new or empty folder (image runs); its companion PNG figure too.
/// </summary>
public static class SampleOutputGuard
{
    /// <summary>Image samples are held in memory before they are written (3 KB each at 28x28).</summary>
    public const int MaxImageSamples = 100_000;

    public static void Check(RunDirectory run, string kind, int n, string? output)
    {
        bool toy = kind is ToyDdpmConfig.Kind or Vdm.Toy.ToyVdmConfig.Kind;
        Limits.Check("--n", n, 1, toy ? Limits.MaxSamples : MaxImageSamples);
        if (output is null) return;
        if (output.Trim().Length == 0 || output.Any(char.IsControl))
            throw new ConfigException("--output: give a path without control characters");
        string png = toy ? CompanionPath.Png(output) : output.TrimEnd('/') + ".png"; // as the image recipes name their grid
        foreach (string path in new[] { output, png })
            if (run.Owns(path))
                throw new ConfigException(
                    $"--output {output}: {path} belongs to the run {run.Root}; write samples elsewhere (or under its samples/)");
        if (toy) OutputTarget.RequireReplaceableFile(Path.GetFullPath(output));
        else OutputTarget.RequireNewFolder(Path.GetFullPath(output).TrimEnd('/'));
        OutputTarget.RequireReplaceableFile(Path.GetFullPath(png));
    }
}
