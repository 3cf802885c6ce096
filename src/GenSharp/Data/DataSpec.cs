namespace GenSharp.Data;

/// <summary>
/// The one parser of <c>--data</c> for every command: <c>toy:NAME</c> or <c>toy:FILE.json</c> (2D toys),
/// <c>fashion-mnist</c> (Debian's IDX files), <c>fashion-mnist:DIR</c>, <c>captcha[:OPTIONS]</c> (rendered on the fly,
/// docs/captcha.md), <c>png:DIR</c> (a folder of PNG
/// images), or a plain folder that holds the Fashion-MNIST IDX files (docs/data.md#fashion-mnist: <c>--data DIR</c>). A plain
/// folder of PNG images is not guessed at: the error says to write <c>png:DIR</c>.
/// <see cref="Canonical"/> is the prefixed form that run configs store.
/// </summary>
public abstract record DataSpec
{
    /// <summary>What <c>--data</c> accepts, for error messages.</summary>
    public const string Forms =
        "toy:NAME, toy:FILE.json, fashion-mnist, fashion-mnist:DIR, png:DIR, captcha[:OPTIONS], or a folder holding the Fashion-MNIST IDX files";

    private const string ToyPrefix = "toy:", FashionMnistName = "fashion-mnist", FashionMnistPrefix = "fashion-mnist:", PngPrefix = "png:",
        CaptchaName = "captcha", CaptchaPrefix = "captcha:";

    private DataSpec() { }

    /// <summary>The prefixed form (<c>toy:NAME</c>, <c>fashion-mnist[:DIR]</c>, <c>png:DIR</c>).</summary>
    public abstract string Canonical { get; }

    /// <summary>A 2D toy distribution: a registered name or a Gaussian-mixture JSON file.</summary>
    public sealed record Toy(string Name) : DataSpec
    {
        public override string Canonical => ToyPrefix + Name;
    }

    /// <summary>Fashion-MNIST's IDX files in <see cref="Directory"/> (null: <see cref="FashionMnist.DefaultDirectory"/>).</summary>
    public sealed record FashionMnistFiles(string? Directory) : DataSpec
    {
        public override string Canonical => Directory is null ? FashionMnistName : FashionMnistPrefix + Directory;
    }

    /// <summary>A folder of PNG images (see <see cref="PngFolder"/>).</summary>
    public sealed record PngImages(string Directory) : DataSpec
    {
        public override string Canonical => PngPrefix + Directory;
    }

    /// <summary>CAPTCHAs rendered on the fly (docs/captcha.md#options).</summary>
    public sealed record Captcha(Data.Captcha.CaptchaOptions Options) : DataSpec
    {
        public override string Canonical => Options.Canonical;
    }

    /// <summary>Parses a <c>--data</c> value; a <see cref="GenSharpException"/> says what to write instead.</summary>
    public static DataSpec Parse(string spec)
    {
        if (spec.StartsWith(ToyPrefix, StringComparison.Ordinal))
            return new Toy(NonEmpty(spec, ToyPrefix, "a toy name or a mixture JSON file"));
        if (spec == FashionMnistName) return new FashionMnistFiles(null);
        if (spec.StartsWith(FashionMnistPrefix, StringComparison.Ordinal))
            return new FashionMnistFiles(NonEmpty(spec, FashionMnistPrefix, "the folder that holds the IDX files"));
        if (spec == CaptchaName) return new Captcha(new Data.Captcha.CaptchaOptions());
        if (spec.StartsWith(CaptchaPrefix, StringComparison.Ordinal))
            return new Captcha(Data.Captcha.CaptchaOptions.Parse(spec[CaptchaPrefix.Length..]));
        if (spec.StartsWith(PngPrefix, StringComparison.Ordinal))
            return new PngImages(NonEmpty(spec, PngPrefix, "a folder of .png images"));
        if (Directory.Exists(spec)) return PlainFolder(spec);
        if (File.Exists(spec))
            throw new ConfigException($"--data {spec}: a file, not a folder; use {Forms}");
        if (LooksLikePath(spec)) return new FashionMnistFiles(spec); // loading says it is not there, and how to install it
        throw new ConfigException($"--data {spec}: unknown data; use {Forms}");
    }

    /// <summary>
    /// For commands that train on Fashion-MNIST only (GAN, VAE, info): the folder of its IDX files, null for
    /// the default; <c>fashion-mnist</c>, <c>fashion-mnist:DIR</c> and a plain folder are accepted.
    /// </summary>
    public static string? FashionMnistDirectory(string? spec)
    {
        if (spec is null) return null;
        if (Directory.Exists(spec)) return spec; // FashionMnist.Load names any missing IDX file
        return Parse(spec) switch
        {
            FashionMnistFiles f => f.Directory,
            _ => throw new ConfigException($"--data {spec}: this command trains on Fashion-MNIST only; use fashion-mnist, fashion-mnist:DIR or a " +
                $"folder holding its IDX files"),
        };
    }

    /// <summary>A folder given without a prefix: Fashion-MNIST if it holds any of its IDX files.</summary>
    private static DataSpec PlainFolder(string dir)
    {
        if (FashionMnist.FileNames.Any(f => File.Exists(Path.Combine(dir, f))))
            return new FashionMnistFiles(dir); // a missing sibling is named when loading
        if (Directory.EnumerateFiles(dir, "*.png", SearchOption.AllDirectories).Any())
            throw new ConfigException($"--data {dir}: the folder holds PNG images but not the Fashion-MNIST IDX files; for the images use --data " +
                $"png:{dir}");
        throw new DataFileException(
            $"--data {dir}: the folder holds neither the Fashion-MNIST IDX files ({string.Join(", ", FashionMnist.FileNames)}) nor PNG images; " +
            $"use {Forms}");
    }

    private static string NonEmpty(string spec, string prefix, string what)
    {
        string rest = spec[prefix.Length..];
        return rest.Length > 0 ? rest : throw new ConfigException($"--data {spec}: give {what} after '{prefix}'");
    }

    private static bool LooksLikePath(string spec) =>
        spec.Contains(Path.DirectorySeparatorChar) || spec.Contains(Path.AltDirectorySeparatorChar) || spec.StartsWith('.') || spec.StartsWith('~');
}
