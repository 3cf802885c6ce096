namespace GenSharp.Output;

/// <summary>
/// The PNG figure written beside a sample output (<c>x.csv</c> -> <c>x.png</c>, folder <c>x/</c> -> <c>x.png</c>). It never
/// equals the output itself: <c>-o x.png</c> for CSV samples puts the figure at <c>x.png.png</c>, not over the CSV.
/// </summary>
internal static class CompanionPath
{
    public static string Png(string output)
    {
        string trimmed = output.TrimEnd('/');
        string png = Path.ChangeExtension(trimmed, ".png");
        return Path.GetFullPath(png) == Path.GetFullPath(trimmed) ? trimmed + ".png" : png;
    }
}
