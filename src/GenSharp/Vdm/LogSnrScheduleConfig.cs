namespace GenSharp.Vdm;

/// <summary>
/// The log-SNR schedule of a VDM run (docs/vdm.md#schedules): <c>linear</c>, <c>cosine</c> or <c>learned</c> between gamma_0 = -13.3
/// and gamma_1 = 5 (Kingma et al. 2021's values for 8-bit images); the learned one has <see cref="Hidden"/> monotone units and, with
/// <see cref="LearnEndpoints"/>, learns gamma_0 and gamma_1 too (starting from the given values); with <see cref="VarianceGradient"/> its
/// interior is trained to lower the variance of the loss estimate.
/// </summary>
public sealed record LogSnrScheduleConfig
{
    public static readonly string[] Kinds = ["linear", "cosine", "learned"];

    public string Kind { get; init; } = "linear";
    public double Gamma0 { get; init; } = -13.3;
    public double Gamma1 { get; init; } = 5.0;
    public int Hidden { get; init; } = 1024;
    public bool LearnEndpoints { get; init; }

    /// <summary>Train a learned schedule's parameters on the variance of the diffusion loss (appendix I.2) instead of the bound alone.</summary>
    public bool VarianceGradient { get; init; }

    public LogSnrScheduleConfig Validate()
    {
        if (!Kinds.Contains(Kind)) throw new ConfigException($"--schedule {Kind}: unknown; use one of {string.Join(", ", Kinds)}");
        if (!double.IsFinite(Gamma0) || !double.IsFinite(Gamma1) || Gamma0 >= Gamma1)
            throw new ConfigException($"--gamma-min {Gamma0} --gamma-max {Gamma1}: need finite values with gamma-min < gamma-max");
        if (Hidden < 1 || Hidden > 65_536) throw new ConfigException($"--schedule-width {Hidden}: must be in [1, 65536]");
        if (LearnEndpoints && Kind != "learned") throw new ConfigException("--learn-endpoints: needs --schedule learned");
        if (VarianceGradient && Kind != "learned") throw new ConfigException("--variance-gradient: needs --schedule learned");
        return this;
    }

    /// <summary>A fresh schedule module (the learned one initialised from torch's default generator, as the network is).</summary>
    public LogSnrSchedule Create() => Validate().Kind switch
    {
        "linear" => new LinearLogSnr(Gamma0, Gamma1),
        "cosine" => new CosineLogSnr(Gamma0, Gamma1),
        _ => new LearnedLogSnr(Gamma0, Gamma1, Hidden, LearnEndpoints),
    };
}
