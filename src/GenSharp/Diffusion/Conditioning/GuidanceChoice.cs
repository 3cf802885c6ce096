using GenSharp.Nn.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Diffusion.Conditioning;

/// <summary>
/// What <c>sample</c> and <c>eval</c> ask of a conditional run (null fields: the run's own): <c>--guidance W</c>, <c>--class 3|Sandal</c>
/// (without it, every sample's class is drawn uniformly at random from the sampling generator) and, for eval,
/// <c>--guidance-sweep 0,1,2,3,5,7</c>; <c>--guidance-rescale PHI</c> (<see cref="ClassifierFreeGuidance.Rescale"/>, default 0); for a
/// text-conditional run, <c>--text</c>/<c>--text-file</c> (the strings to draw, cycled over the samples; without them random strings).
/// </summary>
/// <param name="TextsFrom">Where <paramref name="Texts"/> came from, for errors: null for <c>--text</c>, else the file (named by line).</param>
public sealed record GuidanceChoice(double? Guidance = null, string? Class = null, double[]? Sweep = null, double? Rescale = null,
    string[]? Texts = null, string? TextsFrom = null)
{
    /// <summary>True when nothing was asked for.</summary>
    public bool IsEmpty => Guidance is null && Class is null && Sweep is null && Rescale is null && Texts is null;

    /// <summary>
    /// Refuses guidance options on an unconditional run (<paramref name="conditioning"/> null); <paramref name="conditions"/>: the
    /// <c>--condition</c> values the run's family trains with, named in the message.
    /// </summary>
    public void RefuseIfUnconditional(ConditioningConfig? conditioning, string run, string conditions = "class|component|text")
    {
        if (conditioning is not null || IsEmpty) return;
        string flag = Texts is not null ? "--text" : Class is not null ? "--class" : Guidance is not null ? "--guidance"
            : Rescale is not null ? "--guidance-rescale" : "--guidance-sweep";
        throw new ConfigException($"{flag}: {run} is unconditional (trained without --condition); " +
            $"train with --condition {conditions} to use it");
    }

    /// <summary>The guided sampling this choice makes of <paramref name="conditioning"/> (<paramref name="tokens"/>: a text run's).</summary>
    public GuidedSampling Resolve(ConditioningConfig conditioning, TextTokens? tokens = null)
    {
        bool text = conditioning.Kind == ConditioningConfig.Text;
        if (text && Class is not null) throw new ConfigException($"--class {Class}: this run is conditioned on text; use --text STRING");
        if (!text && Texts is not null) throw new ConfigException("--text: this run is conditioned on classes; use --class");
        if (text && tokens is null) throw new ArgumentException("a text-conditional run needs its tokens", nameof(tokens));
        if (Texts is { } t) // refuses a string outside the run's alphabet or length (it trained on one), naming its line in a --text-file
            using (tokens!.Characters(t, TextsFrom is null ? "--text" : $"--text-file {TextsFrom} line", TextsFrom is not null, exact: true)) { }
        return new GuidedSampling(
            conditioning.Classes,
            conditioning.NullLabel,
            Guidance is { } w ? GuidanceWeight.Check(w, "--guidance") : conditioning.Guidance,
            Class is { } c ? conditioning.Resolve(c) : null,
            Rescale is { } phi ? GuidanceWeight.CheckRescale(phi, "--guidance-rescale") : 0,
            text ? tokens : null,
            Texts);
    }
}

/// <summary>
/// Resolved guided sampling: K classes, the null label, the weight w, and one class for every sample or null (uniformly random
/// classes drawn from the sampling generator), and the guidance rescale phi (0: plain guidance). A text run has its
/// <see cref="Text"/> tokens and the strings to draw (<see cref="Texts"/>, cycled) or null (random strings of the alphabet).
/// </summary>
public sealed record GuidedSampling(int Classes, long NullLabel, double W, int? Class, double Rescale = 0, TextTokens? Text = null,
    string[]? Texts = null)
{
    /// <summary>
    /// The labels of one sampler call: (n) int64, all <see cref="Class"/> or uniform draws from <paramref name="generator"/>; for text
    /// (n, L) characters, <see cref="Texts"/> cycled (sample i of the whole draw, <paramref name="first"/> + i here, shows string i mod
    /// count) or uniform strings of full length drawn from <paramref name="generator"/>.
    /// </summary>
    public Tensor Labels(long n, Generator generator, Device device, long first = 0)
    {
        if (Text is { } tokens)
        {
            if (Texts is { Length: > 0 } t)
            {
                using var scope = NewDisposeScope();
                var all = tokens.Characters(t);
                return all.index_select(0, (arange(n) + first) % t.Length).to(device).MoveToOuterDisposeScope();
            }
            using var drawScope = NewDisposeScope();
            return (randint(0, tokens.Alphabet.Length, [n, tokens.MaxLength], generator: generator, device: device) + 2)
                .MoveToOuterDisposeScope();
        }
        return Class is { } c
            ? full([n], (long)c, dtype: ScalarType.Int64, device: device)
            : randint(0, Classes, [n], generator: generator, device: device);
    }

    /// <summary>A short label suffix for file names and eval.json, e.g. <c>w3-class5</c>.</summary>
    public string Label =>
        "w" + W.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + (Class is { } c ? $"-class{c}" : "") +
        (Texts is { Length: 1 } t ? $"-text{t[0]}" : Texts is not null ? "-texts" : "") +
        (Rescale > 0 ? "-rescale" + Rescale.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) : "");
}
