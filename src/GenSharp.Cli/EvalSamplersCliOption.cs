using System.CommandLine;
using GenSharp.Diffusion.Samplers;

namespace GenSharp.Cli;

/// <summary>
/// <c>train ddpm --eval-samplers ddim:50,dpmpp:20</c>: samplers whose FD is measured beside the run's own at every evaluation during
/// training (same start noises, same held-out images and floor), plotted together in fd-over-training.png.
/// </summary>
public sealed class EvalSamplersCliOption
{
    public Option<string?> EvalSamplers { get; } = new("--eval-samplers")
    {
        Description = "[images] samplers for the FD curve during training, NAME[:K] comma-separated (ddim:50,dpmpp:20,ddpm; ddim with eta 0); " +
            "the run's own --sampler is always one of them (default: just that one)",
    };

    /// <summary>The samplers asked for (validated against T), or none.</summary>
    public SamplerSpec[] Read(ParseResult parse, int timesteps)
    {
        string? text = parse.GetValue(EvalSamplers);
        if (text is null) return [];
        var specs = new List<SamplerSpec>();
        foreach (string item in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var parts = item.Split(':', StringSplitOptions.TrimEntries);
            if (parts.Length > 2 || parts[0].Length == 0 || (parts.Length == 2 && !int.TryParse(parts[1], out _)))
                throw new ConfigException($"--eval-samplers {text}: '{item}' is not NAME or NAME:STEPS; e.g. --eval-samplers ddim:50,dpmpp:20");
            if (!SamplerRegistry.Names.Contains(parts[0]))
                throw new ConfigException($"--eval-samplers {text}: unknown sampler '{parts[0]}'; use {string.Join(", ", SamplerRegistry.Names)}");
            int? steps = parts.Length == 2 ? int.Parse(parts[1]) : null;
            var spec = SamplerRegistry.Find(parts[0]).Defaults(timesteps, clipX0: true);
            specs.Add((steps is null ? spec : spec with { Steps = steps }).Validate(timesteps));
        }
        if (specs.Count > 8) throw new ConfigException($"--eval-samplers {text}: at most 8 samplers (each one samples at every evaluation)");
        return specs.Distinct().ToArray();
    }
}
