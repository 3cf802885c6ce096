namespace GenSharp.Diffusion;

/// <summary>
/// The beta schedule of the forward process (docs/ddpm.md#noise-schedules). Defaults are the course's: linear betas from
/// 1e-4 to 0.02 over T = 1000 steps. "cosine" is Nichol &amp; Dhariwal's schedule with offset s.
/// </summary>
public sealed record NoiseScheduleConfig(
    string Kind = "linear",
    int Timesteps = 1000,
    double BetaStart = 1e-4,
    double BetaEnd = 0.02,
    double CosineS = 0.008,
    double MaxBeta = 0.999)
{
    /// <summary>The schedule kinds this build knows.</summary>
    public static readonly string[] Kinds = ["linear", "cosine"];

    /// <summary>Checks every field; the error names the flag to change.</summary>
    public NoiseScheduleConfig Validate()
    {
        if (!Kinds.Contains(Kind)) throw new ConfigException($"--schedule {Kind}: unknown; use one of {string.Join(", ", Kinds)}");
        if (Timesteps < 1 || Timesteps > 100_000) throw new ConfigException($"--timesteps {Timesteps}: must be between 1 and 100000");
        if (!(BetaStart > 0 && BetaStart <= BetaEnd && BetaEnd < 1))
            throw new ConfigException($"beta_start {BetaStart} / beta_end {BetaEnd}: need 0 < beta_start <= beta_end < 1");
        if (!(CosineS >= 0)) throw new ConfigException($"cosine_s {CosineS}: must be >= 0");
        if (!(MaxBeta > 0 && MaxBeta < 1)) throw new ConfigException($"max_beta {MaxBeta}: must be in (0, 1)");
        return this;
    }
}
