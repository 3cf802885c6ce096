namespace GenSharp.Diffusion.Conditioning;

/// <summary>
/// What <c>sample</c> and <c>eval</c> ask of a conditional run (null fields: the run's own): <c>--guidance W</c>, <c>--class 3|Sandal</c>
/// (without it, every sample's class is drawn uniformly at random from the sampling generator) and, for eval,
/// <c>--guidance-sweep 0,1,2,3,5,7</c>; <c>--guidance-rescale PHI</c> (<see cref="ClassifierFreeGuidance.Rescale"/>, default 0).
/// </summary>
public sealed record GuidanceChoice(double? Guidance = null, string? Class = null, double[]? Sweep = null, double? Rescale = null)
{
    /// <summary>True when nothing was asked for.</summary>
    public bool IsEmpty => Guidance is null && Class is null && Sweep is null && Rescale is null;

    /// <summary>Refuses guidance options on an unconditional run (<paramref name="conditioning"/> null).</summary>
    public void RefuseIfUnconditional(ConditioningConfig? conditioning, string run)
    {
        if (conditioning is not null || IsEmpty) return;
        string flag = Class is not null ? "--class" : Guidance is not null ? "--guidance" : Rescale is not null ? "--guidance-rescale"
            : "--guidance-sweep";
        throw new ConfigException($"{flag}: {run} is unconditional (trained without --condition); train with --condition class|component to use it");
    }

    /// <summary>The guided sampling this choice makes of <paramref name="conditioning"/>.</summary>
    public GuidedSampling Resolve(ConditioningConfig conditioning) => new(
        conditioning.Classes,
        conditioning.NullLabel,
        Guidance is { } w ? GuidanceWeight.Check(w, "--guidance") : conditioning.Guidance,
        Class is { } c ? conditioning.Resolve(c) : null,
        Rescale is { } phi ? GuidanceWeight.CheckRescale(phi, "--guidance-rescale") : 0);
}

/// <summary>
/// Resolved guided sampling: K classes, the null label, the weight w, and one class for every sample or null (uniformly random
/// classes drawn from the sampling generator), and the guidance rescale phi (0: plain guidance).
/// </summary>
public sealed record GuidedSampling(int Classes, long NullLabel, double W, int? Class, double Rescale = 0)
{
    /// <summary>The labels (n) int64 of one sampler call: all <see cref="Class"/>, or uniform draws from <paramref name="generator"/>.</summary>
    public TorchSharp.torch.Tensor Labels(long n, TorchSharp.torch.Generator generator, TorchSharp.torch.Device device) =>
        Class is { } c
            ? TorchSharp.torch.full([n], (long)c, dtype: TorchSharp.torch.ScalarType.Int64, device: device)
            : TorchSharp.torch.randint(0, Classes, [n], generator: generator, device: device);

    /// <summary>A short label suffix for file names and eval.json, e.g. <c>w3-class5</c>.</summary>
    public string Label =>
        "w" + W.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + (Class is { } c ? $"-class{c}" : "") +
        (Rescale > 0 ? "-rescale" + Rescale.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) : "");
}
