using System.CommandLine;
using GenSharp.Score.Samplers;

namespace GenSharp.Cli;

/// <summary>
/// <c>--T --eps --levels-used --no-denoise</c> for <c>sample</c> and <c>eval</c> of a score-model (NCSN) run: they override the
/// run's annealed-Langevin settings. A new T or number of levels recomputes eps by NCSNv2's technique 4 unless --eps is given.
/// </summary>
public sealed class LangevinCliOptions
{
    public Option<int?> StepsPerLevel { get; } = new("--T")
    {
        Description = "[NCSN] Langevin steps per noise level (default: the run's; eps follows by technique 4 unless --eps is given)"
    };
    public Option<double?> Eps { get; } = new("--eps") { Description = "[NCSN] step-size scale: alpha_i = eps sigma_i^2 / sigma_L^2" };
    public Option<int?> LevelsUsed { get; } = new("--levels-used")
    {
        Description = "[NCSN] anneal through this many of the L trained levels, evenly spaced from sigma_1 to sigma_L (a cheaper sampler)"
    };
    public Option<bool> NoDenoise { get; } = new("--no-denoise") { Description = "[NCSN] skip the final denoising step " +
        "x + sigma_L^2 s(x, sigma_L)" };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { StepsPerLevel, Eps, LevelsUsed, NoDenoise }) command.Options.Add(o);
    }

    /// <summary>The overrides given (null when none).</summary>
    public AnnealedLangevinOverrides? Read(ParseResult parse)
    {
        int? t = parse.GetValue(StepsPerLevel);
        double? eps = parse.GetValue(Eps);
        int? levels = parse.GetValue(LevelsUsed);
        bool noDenoise = parse.GetValue(NoDenoise);
        if (t is null && eps is null && levels is null && !noDenoise) return null;
        return new AnnealedLangevinOverrides(t, eps, levels, noDenoise ? false : null);
    }

    /// <summary>Refuses Langevin options for a run that is not a score model.</summary>
    public static void RefuseFor(string kind, AnnealedLangevinOverrides? overrides)
    {
        if (overrides is not null && kind != Score.Images.ImageNcsnConfig.Kind)
            throw new ConfigException($"--T/--eps/--levels-used/--no-denoise apply to NCSN runs (annealed Langevin); this run is '{kind}'");
    }
}
