namespace GenSharp.Training;

/// <summary>
/// A run name is one path component under <c>--runs</c>: not empty, not <c>.</c> or <c>..</c>, no <c>/</c> (so no absolute
/// path and no way out of <c>--runs</c>), no control characters, at most 200 characters.
/// </summary>
public static class RunName
{
    public const int MaxLength = 200;

    /// <summary>Checks <paramref name="name"/> and returns <c>runs/name</c>; exit 2 with the reason otherwise.</summary>
    public static string Under(string runs, string name)
    {
        Check(name);
        if (string.IsNullOrWhiteSpace(runs) || runs.Any(char.IsControl))
            throw new ConfigException($"--runs '{Printable(runs)}': give a folder path without control characters");
        return Path.Combine(runs, name);
    }

    /// <summary>Throws <see cref="ConfigException"/> unless <paramref name="name"/> is a valid run name.</summary>
    public static void Check(string name)
    {
        string? why = name switch
        {
            "" => "is empty",
            "." or ".." => "is not a folder name",
            _ when name.Trim().Length == 0 => "is blank",
            _ when name.Any(char.IsControl) => "contains control characters",
            _ when name.Contains('/') || name.Contains('\\') =>
                "contains a path separator; a run name is one folder name (use --runs for the parent folder)",
            _ when name.Length > MaxLength => $"is longer than {MaxLength} characters",
            _ => null,
        };
        if (why is not null) throw new ConfigException($"--name '{Printable(name)}' {why}");
    }

    private static string Printable(string s) => new(s.Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
