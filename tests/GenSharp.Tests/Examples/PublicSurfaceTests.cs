using System.Reflection;
using System.Text.RegularExpressions;

namespace GenSharp.Tests.Examples;

/// <summary>
/// docs/api.md tells library users what to call and what is internal; the assembly must agree with it: every type its entry-point
/// table names is public, every type its "Public and internal" section names is not, and no family's report or figure writer leaks.
/// </summary>
public sealed partial class PublicSurfaceTests
{
    private static readonly Assembly Library = typeof(GenSharpException).Assembly;

    private static readonly Dictionary<string, List<Type>> TypesByName = Library.GetTypes()
        .Where(t => !t.IsNested && !t.Name.StartsWith('<'))
        .GroupBy(t => t.Name.Split('`')[0]).ToDictionary(g => g.Key, g => g.ToList());

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Code();

    [GeneratedRegex("[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex Identifier();

    private static string Section(string heading)
    {
        string text = File.ReadAllText(Path.Combine(RepositoryTool.Root, "docs", "api.md"));
        int start = text.IndexOf("## " + heading, StringComparison.Ordinal);
        Assert.True(start >= 0, $"docs/api.md has no section '{heading}'");
        int end = text.IndexOf("\n## ", start + 3, StringComparison.Ordinal);
        return end < 0 ? text[start..] : text[start..end];
    }

    /// <summary>The library's types that the back-quoted spans of <paramref name="markdown"/> name.</summary>
    private static List<Type> NamedTypes(string markdown) =>
        Code().Matches(markdown).SelectMany(m => Identifier().Matches(m.Groups[1].Value))
            .SelectMany(id => TypesByName.GetValueOrDefault(id.Value) ?? []).Distinct().ToList();

    [Fact]
    public void EveryEntryPointTheApiPageNamesIsPublic()
    {
        var named = NamedTypes(Section("Entry points"));
        Assert.True(named.Count >= 40, $"only {named.Count} types found in docs/api.md's entry points");
        Assert.Empty(named.Where(t => !t.IsVisible).Select(t => t.FullName));
    }

    [Fact]
    public void EveryTypeTheApiPageCallsInternalIsInternal()
    {
        var named = NamedTypes(Section("Public and internal"));
        Assert.True(named.Count >= 25, $"only {named.Count} types found in docs/api.md's public/internal section");
        Assert.Empty(named.Where(t => t.IsVisible && t != typeof(GenSharp.Evaluation.ScoringProgress)).Select(t => t.FullName));
    }

    [Fact]
    public void NoReportOrFigureWriterIsPublic()
    {
        // Writers are static classes (or figure builders) named *Report / *Figures; records named *Report are results a caller reads.
        var leaking = Library.GetExportedTypes()
            .Where(t => (t.Name.EndsWith("Report", StringComparison.Ordinal) || t.Name.EndsWith("Figures", StringComparison.Ordinal))
                        && (t.IsAbstract && t.IsSealed || t.GetMethod("<Clone>$") is null))
            .Where(t => t.Namespace != "GenSharp.Output") // HtmlReport is the page builder users may write their own reports with
            .Select(t => t.FullName);
        Assert.Empty(leaking);
    }
}
