namespace GenSharp;

/// <summary>
/// Every size a user can type or a file can declare has a ceiling here, checked before anything is allocated, so a small
/// input cannot exhaust the machine: the error names the option or file, the value and the limit (exit 2).
/// </summary>
public static class Limits
{
    /// <summary>--threads: more than this many threads per core only thrashes (and 10,000 threads hang thread start-up).</summary>
    public static int MaxThreads => Math.Max(16, 4 * Environment.ProcessorCount);

    /// <summary>Columns of a feature CSV (FD builds a d x d covariance and its square root).</summary>
    public const int MaxFeatureDims = 4096;

    /// <summary>Rows of a feature CSV.</summary>
    public const int MaxFeatureRows = 1_000_000;

    /// <summary>Bytes of a feature CSV, mixture JSON or run config read into memory.</summary>
    public const long MaxTextFileBytes = 1L << 30;

    /// <summary>Width or height of a PNG read as data (from its header, before decoding).</summary>
    public const int MaxImageSide = 4096;

    /// <summary>Components of a mixture JSON.</summary>
    public const int MaxMixtureComponents = 100_000;

    /// <summary>Samples one sample or eval command draws (they are drawn in batches; this bounds the output).</summary>
    public const int MaxSamples = 10_000_000;

    /// <summary>Width of a layer: --hidden, --ch and --ch x multiplier.</summary>
    public const int MaxWidth = 65_536;

    /// <summary>Repeated blocks: --layers, --res-blocks (2 billion modules would take hours just to construct).</summary>
    public const int MaxDepth = 1_000;

    /// <summary>--batch.</summary>
    public const int MaxBatch = 1_000_000;

    /// <summary>--epochs of the GAN and the VAE (an epoch of Fashion-MNIST is at least seconds; this is years).</summary>
    public const int MaxEpochs = 1_000_000;

    /// <summary>Throws <see cref="ConfigException"/> unless <paramref name="min"/> &lt;= value &lt;= <paramref name="max"/>.</summary>
    public static long Check(string option, long value, long min, long max)
    {
        if (value < min || value > max)
            throw new ConfigException($"{option} {value}: must be from {min} to {max}");
        return value;
    }
}
