namespace GenSharp.Diffusion.Conditioning;

/// <summary>
/// Class conditioning of a diffusion run (docs/ddpm.md#classifier-free-guidance; Ho &amp; Salimans 2022): the network takes a label
/// y in 0..K-1 or the extra null label K ("no condition"), the label is replaced by the null label with probability
/// <see cref="PUncond"/> during training, and sampling mixes the two predictions with a guidance weight w.
/// Saved in config.json as one nested record; absent (null) means an unconditional run, exactly as before conditioning existed.
/// </summary>
public sealed record ConditioningConfig
{
    /// <summary>Labels are image classes (Fashion-MNIST, or the sub-folders of <c>png:DIR</c>).</summary>
    public const string Class = "class";

    /// <summary>Labels are the mixture components of a 2D toy.</summary>
    public const string Component = "component";

    /// <summary>
    /// Labels are the strings the images show (CAPTCHAs): (B, L) characters read by the U-Net's text encoder, the empty string the
    /// null condition (docs/captcha.md#text-conditioning).
    /// </summary>
    public const string Text = "text";

    /// <summary><see cref="Class"/>, <see cref="Component"/> or <see cref="Text"/>.</summary>
    public string Kind { get; init; } = Class;

    /// <summary>The class names, index = label (Fashion-MNIST's, a PNG folder's sub-folders, or <c>component 0</c>, ... on toys).</summary>
    public string[] ClassNames { get; init; } = [];

    /// <summary>Probability that a training label is replaced by the null label (Ho &amp; Salimans use 0.1 or 0.2).</summary>
    public double PUncond { get; init; } = 0.1;

    /// <summary>Guidance weight w of grids and evaluations during training and of <c>sample</c>/<c>eval</c> without <c>--guidance</c>.</summary>
    public double Guidance { get; init; } = 1.0;

    /// <summary>K, the number of real labels.</summary>
    public int Classes => ClassNames.Length;

    /// <summary>The null label K (never a real class: real labels are 0..K-1); for text, padding (0) everywhere: the empty string.</summary>
    public int NullLabel => Kind == Text ? (int)Nn.Text.TextTokens.Pad : ClassNames.Length;

    /// <param name="resolved">False before the run's data have given the class names (a request from the command line).</param>
    public ConditioningConfig Validate(bool resolved = true)
    {
        if (Kind is not (Class or Component or Text))
            throw new ConfigException($"--condition {Kind}: use class (image labels), component (toy mixtures), text (CAPTCHAs) or none");
        if (Kind == Text && ClassNames is { Length: > 0 })
            throw new ConfigException("--condition text: a text-conditional run has no class names");
        if (ClassNames is null || Kind != Text && (resolved || ClassNames.Length > 0) && ClassNames.Length < 2)
            throw new ConfigException($"--condition {Kind}: the data have {ClassNames?.Length ?? 0} classes; conditioning needs at least 2");
        if (ClassNames.Length > 0) Limits.Check("number of classes", ClassNames.Length, 2, Limits.MaxMixtureComponents);
        if (!(PUncond >= 0 && PUncond < 1))
            throw new ConfigException($"--p-uncond {PUncond}: must be in [0, 1) (0 trains no unconditional model: guidance then needs w = 1)");
        GuidanceWeight.Check(Guidance, "--guidance");
        return this;
    }

    /// <summary>
    /// The label <paramref name="text"/> names: an index 0..K-1 or a class name (case-insensitive), as typed after <c>--class</c>.
    /// </summary>
    public int Resolve(string text)
    {
        if (int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int index))
        {
            if (index >= 0 && index < Classes) return index;
            throw new ConfigException($"--class {text}: this run has classes 0..{Classes - 1}; {ListClasses()}");
        }
        int byName = Array.FindIndex(ClassNames, n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
        return byName >= 0 ? byName : throw new ConfigException($"--class {text}: not a class of this run; {ListClasses()}");
    }

    private string ListClasses() =>
        "use an index or one of " + string.Join(", ", ClassNames.Select((n, i) => $"{i}={n}").Take(20)) + (Classes > 20 ? ", ..." : "");
}
