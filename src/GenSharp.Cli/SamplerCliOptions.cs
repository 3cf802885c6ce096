using System.CommandLine;
using GenSharp.Diffusion.Samplers;

namespace GenSharp.Cli;

/// <summary>
/// <c>--sampler ddpm|ddim|dpmpp --steps K --eta E --spacing S --variance V</c> for <c>sample</c> and <c>eval</c>.
/// When none is given the run's own sampler (config.json) is used; given ones override its fields.
/// </summary>
public sealed class SamplerCliOptions
{
    public Option<string?> Name { get; } = new("--sampler") { Description = "Sampler: ddpm (ancestral, all T steps), ddim or dpmpp (DPM-Solver++(2M)); default: the run's" };
    public Option<int?> Steps { get; } = new("--steps") { Description = "Sampling steps for ddim and dpmpp (e.g. 50 for DDIM, 10-25 for DPM-Solver++)" };
    public Option<double?> Eta { get; } = new("--eta") { Description = "DDIM eta: 0 deterministic, 1 = DDPM's noise level" };
    public Option<string?> Spacing { get; } = new("--spacing") { Description = "Timestep spacing: leading, linspace or trailing" };
    public Option<string?> Variance { get; } = new("--variance") { Description = "Ancestral DDPM variance: beta or beta_tilde" };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Name, Steps, Eta, Spacing, Variance }) command.Options.Add(o);
    }

    /// <summary>The spec to use (null = the run's default), given the run's default spec.</summary>
    public SamplerSpec? Read(ParseResult parse)
    {
        string? name = parse.GetValue(Name);
        int? steps = parse.GetValue(Steps);
        double? eta = parse.GetValue(Eta);
        string? spacing = parse.GetValue(Spacing);
        string? variance = parse.GetValue(Variance);
        if (name is null && steps is null && eta is null && spacing is null && variance is null) return null;
        var d = new SamplerSpec();
        return new SamplerSpec(name ?? d.Name, steps ?? d.Steps, eta ?? d.Eta, spacing ?? d.Spacing, variance ?? d.Variance);
    }
}
