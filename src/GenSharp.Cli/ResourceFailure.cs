using System.Text.RegularExpressions;

namespace GenSharp.Cli;

/// <summary>
/// A request the machine cannot satisfy (managed or native allocation failure) is the user's input being too large, not a
/// bug: one line, exit 2, never libtorch's native frames.
/// </summary>
public static partial class ResourceFailure
{
    /// <summary>The one-line description of an allocation failure, or null when <paramref name="e"/> is something else.</summary>
    public static string? Describe(Exception e)
    {
        if (e is OutOfMemoryException or InsufficientMemoryException)
            return "out of memory: the request needs more memory than this machine has; ask for fewer samples or smaller sizes";
        string message = e.Message;
        if (!NativeAllocation().IsMatch(message)) return null;
        var bytes = Bytes().Match(message);
        string size = bytes.Success && double.TryParse(bytes.Groups[1].Value, out double b)
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $" ({b / (1 << 30):F1} GiB)") : "";
        return $"out of memory: the tensor engine could not allocate a buffer{size}; ask for fewer samples or smaller sizes";
    }

    [GeneratedRegex(@"not enough memory|can't allocate memory|DefaultCPUAllocator|std::bad_alloc|CUDA out of memory")]
    private static partial Regex NativeAllocation();

    [GeneratedRegex(@"allocate (\d+) bytes")]
    private static partial Regex Bytes();
}
