namespace GenSharp.Diffusion.Conditioning;

/// <summary>Checks of a classifier-free guidance weight w (docs/ddpm.md#classifier-free-guidance).</summary>
public static class GuidanceWeight
{
    /// <summary>Largest accepted w: far beyond any useful value (samples saturate past w of about 10 on Fashion-MNIST).</summary>
    public const double Max = 100;

    public static double Check(double w, string flag)
    {
        if (!(w >= 0 && w <= Max)) throw new ConfigException($"{flag} {w}: must be between 0 (unconditional) and {Max}; 1 is the conditional model");
        return w;
    }

    /// <summary>A guidance rescale phi in [0, 1] (<see cref="ClassifierFreeGuidance.Rescale"/>).</summary>
    public static double CheckRescale(double phi, string flag)
    {
        if (!(phi >= 0 && phi <= 1)) throw new ConfigException($"{flag} {phi}: must be between 0 (plain guidance) and 1; diffusers suggests 0.7");
        return phi;
    }

    /// <summary>"0,1,2,3" -> [0, 1, 2, 3], each checked.</summary>
    public static double[] ParseList(string text, string flag)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) throw new ConfigException($"{flag} {text}: give comma-separated weights, e.g. 0,1,2,3,5,7");
        if (parts.Length > 32) throw new ConfigException($"{flag} {text}: at most 32 weights");
        return parts.Select(p => double.TryParse(p, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture,
                out double w) ? Check(w, flag) : throw new ConfigException($"{flag} {text}: '{p}' is not a number; e.g. 0,1,2,3,5,7"))
            .ToArray();
    }
}
