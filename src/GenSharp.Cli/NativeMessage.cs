namespace GenSharp.Cli;

/// <summary>
/// libtorch's error messages carry its C++ stack ("Exception raised from ... frame #0: ...") and an enhancement-request
/// note; the user gets the first sentence only (GENSHARP_DEBUG=1 still prints everything).
/// </summary>
public static class NativeMessage
{
    private static readonly string[] Cuts =
        ["Exception raised from ", " (Could this error message be improved?", "frame #0:"];

    public static string Trim(string message)
    {
        int end = message.Length;
        foreach (string cut in Cuts)
        {
            int at = message.IndexOf(cut, StringComparison.Ordinal);
            if (at >= 0) end = Math.Min(end, at);
        }
        return message[..end].TrimEnd();
    }
}
