using System.CommandLine;
using GenSharp.Interop;

namespace GenSharp.Cli;

/// <summary>
/// <c>train ddpm --scheduler-config FILE</c>: a diffusers <c>scheduler_config.json</c> (DDPMScheduler, DDIMScheduler or
/// DPMSolverMultistepScheduler) sets the run's noise schedule and its default sampler (docs/interop.md#diffusers-scheduler-configs).
/// Sampler options typed beside it (<c>--sampler-steps</c>, <c>--eta</c>, ...) apply on top; options that set the schedule
/// themselves (<c>--schedule</c>, <c>--timesteps</c>) and <c>--resume</c> (a run keeps its schedule) are refused with it. Every
/// field without effect in GenSharp is printed as a note, so that nothing in the file is dropped silently.
/// </summary>
public sealed class SchedulerConfigOption
{
    public Option<string?> File { get; } = new("--scheduler-config")
    {
        Description = "[images] a diffusers scheduler_config.json (DDPMScheduler, DDIMScheduler, DPMSolverMultistepScheduler): sets the noise " +
            "schedule and the default sampler; what GenSharp cannot honour is refused (docs/interop.md)"
    };

    /// <summary>
    /// The settings of the typed file (null when none is typed), after refusing it beside any of <paramref name="conflicting"/>
    /// typed too; notes go to <paramref name="output"/>.
    /// </summary>
    public DiffusersSchedulerSettings? Read(ParseResult parse, TextWriter output, params Option[] conflicting)
    {
        if (parse.GetValue(File) is not string path) return null;
        var typed = conflicting.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false });
        if (typed is not null)
            throw new ConfigException($"--scheduler-config {path} with {typed.Name}: " + (typed.Name == "--resume"
                ? "a resumed run keeps the schedule of its config.json; drop --scheduler-config"
                : $"the scheduler config sets the noise schedule; drop {typed.Name} (or edit the file)"));
        var settings = DiffusersSchedulerReader.Read(path);
        output.WriteLine($"scheduler config: {settings.ClassName} -> {settings.Schedule.Kind} schedule, T = {settings.Schedule.Timesteps}, " +
            $"sampler {settings.Sampler.Label}");
        foreach (string note in settings.Notes) output.WriteLine($"scheduler config note: {note}");
        return settings;
    }
}
