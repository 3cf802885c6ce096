using System.Text;

namespace GenSharp.Data.Captcha;

/// <summary>
/// Writes N rendered CAPTCHAs as <c>000000.png</c>, ... plus <c>labels.csv</c> (<c>file,text</c>) into a new folder
/// (<c>gensharp data captcha</c>). The folder must be missing or empty: existing files are never replaced.
/// </summary>
public static class CaptchaFolder
{
    /// <summary>The labels file's name.</summary>
    public const string LabelsFile = "labels.csv";

    public static void Write(CaptchaOptions options, CaptchaSplit split, int n, long seed, string directory)
    {
        if (n is < 1 or > 1_000_000) throw new ConfigException($"--n {n}: must be between 1 and 1000000");
        string full = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar);
        Files.OutputTarget.RequireNewFolder(full); // before rendering, not after
        var texts = new List<string>(n);
        const int chunk = 2000;
        string temp = full + ".partial-" + Environment.ProcessId;
        for (int first = 0; first < n; first += chunk)
        {
            using var set = CaptchaSet.Render(options, split, Math.Min(chunk, n - first), seed, PixelRange.MinusOneToOne, first);
            PngFolder.Write(set.Images, first == 0 ? full : temp, first);
            if (first > 0) MoveInto(temp, full);
            texts.AddRange(set.Texts);
        }
        var csv = new StringBuilder("file,text\n");
        for (int i = 0; i < texts.Count; i++) csv.Append($"{i:D6}.png,{texts[i]}\n");
        File.WriteAllText(Path.Combine(full, LabelsFile), csv.ToString());
    }

    private static void MoveInto(string from, string to)
    {
        foreach (string f in Directory.GetFiles(from)) File.Move(f, Path.Combine(to, Path.GetFileName(f)));
        Directory.Delete(from);
    }
}
