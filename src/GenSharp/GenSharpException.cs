namespace GenSharp;

/// <summary>
/// An error the user can act on: bad input, a corrupt file, an impossible request. The command line
/// prints <see cref="Exception.Message"/> as one line (what, where, what to do) and exits with
/// <see cref="ExitCode"/>; it never shows a stack trace for these.
/// </summary>
public class GenSharpException : Exception
{
    public GenSharpException(string message, int exitCode = 2, Exception? inner = null)
        : base(message, inner) => ExitCode = exitCode;

    /// <summary>Process exit code: 2 for bad input or data, 3 for an unavailable device.</summary>
    public int ExitCode { get; }
}

/// <summary>A data file is missing, truncated or malformed.</summary>
public sealed class DataFileException(string message, Exception? inner = null)
    : GenSharpException(message, 2, inner);

/// <summary>A checkpoint or weights file is corrupt, hostile or incompatible.</summary>
public sealed class CheckpointException(string message, Exception? inner = null)
    : GenSharpException(message, 2, inner);

/// <summary>A configuration value or command-line flag is invalid.</summary>
public sealed class ConfigException(string message, Exception? inner = null)
    : GenSharpException(message, 2, inner);

/// <summary>The requested compute device is not available on this machine.</summary>
public sealed class DeviceException(string message)
    : GenSharpException(message, 3);
