namespace GenSharp.Score.Samplers;

/// <summary>The noise term of a Langevin step x &lt;- x + alpha s(x) + c z.</summary>
public enum LangevinNoise
{
    /// <summary>c = sqrt(2 alpha): the Euler-Maruyama discretisation of the Langevin diffusion, whose stationary law is p.</summary>
    Correct,

    /// <summary>c = sqrt(0.1 alpha): the variant printed in the course's report (seed 004); it samples a sharpened law (variance about 1/20 of p's
    /// near a mode), kept to reproduce that figure.</summary>
    Course,

    /// <summary>c = 0: deterministic gradient ascent on log p, which runs to a mode.</summary>
    None,
}

/// <summary>Names of <see cref="LangevinNoise"/> on the command line.</summary>
public static class LangevinNoiseNames
{
    public static LangevinNoise Parse(string name) => name switch
    {
        "correct" => LangevinNoise.Correct,
        "course" => LangevinNoise.Course,
        "none" => LangevinNoise.None,
        _ => throw new ConfigException($"--langevin-noise {name}: use correct (sqrt(2 alpha)), course (sqrt(0.1 alpha)) or none"),
    };

    /// <summary>The standard deviation c of the noise for step size alpha.</summary>
    public static double Scale(this LangevinNoise noise, double alpha) => noise switch
    {
        LangevinNoise.Correct => Math.Sqrt(2 * alpha),
        LangevinNoise.Course => Math.Sqrt(0.1 * alpha),
        _ => 0,
    };
}
