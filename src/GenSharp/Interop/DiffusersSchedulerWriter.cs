using System.Text.Json;
using System.Text.Json.Nodes;
using GenSharp.Diffusion;
using GenSharp.Diffusion.Samplers;

namespace GenSharp.Interop;

/// <summary>
/// Writes GenSharp's noise schedule and sampler as a diffusers <c>scheduler_config.json</c> (docs/interop.md#diffusers-scheduler-configs):
/// <c>ddpm</c> as DDPMScheduler, <c>ddim</c> as DDIMScheduler, <c>dpmpp</c> as DPMSolverMultistepScheduler, <c>unipc</c> as
/// UniPCMultistepScheduler, with every field of the
/// class (as diffusers' <c>save_config</c> writes them), so that <c>SchedulerClass.from_config</c> rebuilds the same process and
/// timestep table. What a scheduler config has no field for (the number of sampling steps, DDIM's eta, clipping DPM-Solver++'s x0)
/// goes into <c>_gensharp_sampler</c>, which diffusers skips (it drops keys starting with '_') and
/// <see cref="DiffusersSchedulerReader"/> reads back; <see cref="Notes"/> says what a diffusers user has to pass by hand.
/// A schedule diffusers cannot express (a cosine schedule with another offset s or beta cap) is refused.
/// </summary>
public static class DiffusersSchedulerWriter
{
    public const string FileName = "scheduler_config.json";

    /// <summary>The config as JSON text (Python's json module reads it; -inf is written as Python writes it, -Infinity).</summary>
    /// <param name="prediction">What the network predicts: epsilon, or v (written as prediction_type v_prediction).</param>
    public static string ToJson(NoiseScheduleConfig schedule, SamplerSpec sampler, string prediction = DdpmObjective.Epsilon)
    {
        if (prediction == DdpmObjective.Edm)
            throw new ConfigException("--prediction edm: diffusers schedulers take epsilon or v_prediction networks; an EDM-preconditioned " +
                "network has no scheduler config (docs/interop.md)");
        var cls = DiffusersSchedulerClass.ForSampler(sampler.Name);
        var config = new JsonObject { ["_class_name"] = cls.Name };
        foreach (var (key, value) in cls.Defaults) config[key] = value?.DeepClone();
        config["num_train_timesteps"] = schedule.Timesteps;
        config["prediction_type"] = prediction == DdpmObjective.V ? "v_prediction" : "epsilon";
        config["beta_start"] = schedule.BetaStart;
        config["beta_end"] = schedule.BetaEnd;
        config["beta_schedule"] = schedule.Kind switch
        {
            "linear" => "linear",
            "cosine" when schedule.CosineS == 0.008 && schedule.MaxBeta == 0.999 => "squaredcos_cap_v2",
            _ => throw new ConfigException($"schedule {schedule.Kind} (s {schedule.CosineS}, max_beta {schedule.MaxBeta}): diffusers' cosine " +
                "schedule squaredcos_cap_v2 has s = 0.008 and max_beta = 0.999 only; this run cannot be written as a diffusers config"),
        };
        config["timestep_spacing"] = sampler.Spacing;
        if (sampler.Spacing == TimestepTable.Karras)
            throw new ConfigException("--spacing karras: GenSharp steps on the nearest discrete timesteps, diffusers' use_karras_sigmas on the " +
                "continuous sigmas; no diffusers config has this table, export with another spacing");
        if (sampler.Spacing == TimestepTable.LogSnr)
        {
            if (!cls.Defaults.ContainsKey("use_lu_lambdas"))
                throw new ConfigException($"--spacing logsnr: {cls.Name} has no log-SNR spacing (only DPMSolverMultistepScheduler's " +
                    "use_lu_lambdas); " +
                    "export with --sampler dpmpp or dpmpp3, or another spacing");
            config["use_lu_lambdas"] = true;
            config["timestep_spacing"] = "linspace";                    // unused by diffusers when use_lu_lambdas is true
        }
        if (sampler.Name == "dpmpp3") config["solver_order"] = 3;
        switch (sampler.Name)
        {
            case "ddpm":
                config["variance_type"] = sampler.Variance == "beta" ? "fixed_large" : "fixed_small";
                config["clip_sample"] = sampler.ClipX0;
                break;
            case "ddim":
                config["clip_sample"] = sampler.ClipX0;
                config["steps_offset"] = sampler.StepsOffset;
                break;
            default:
                config["steps_offset"] = sampler.StepsOffset;
                break;
        }
        var gensharp = new JsonObject { ["name"] = sampler.Name };
        if (sampler.Steps is int steps) gensharp["steps"] = steps;
        if (sampler.Name == "ddim") gensharp["eta"] = sampler.Eta;
        if (sampler.Name is "dpmpp" or "dpmpp3" or "unipc") gensharp["clip_x0"] = sampler.ClipX0;
        config["_gensharp_sampler"] = gensharp;
        return PythonJson.Unquote(config.ToJsonString(new JsonSerializerOptions { WriteIndented = true })) + "\n";
    }

    /// <summary>What the config cannot carry and a diffusers user passes by hand (one line each).</summary>
    public static IReadOnlyList<string> Notes(SamplerSpec sampler, int timesteps)
    {
        var notes = new List<string>();
        int steps = SamplerRegistry.Find(sampler.Name).Steps(sampler, timesteps);
        notes.Add($"diffusers: call scheduler.set_timesteps({steps}) (the number of sampling steps is not a scheduler config field)");
        if (sampler.Name == "ddim") notes.Add($"diffusers: pass eta={sampler.Eta.ToString(System.Globalization.CultureInfo.InvariantCulture)} " +
            "to scheduler.step()");
        if (sampler.Name is "dpmpp" or "dpmpp3" or "unipc" && sampler.ClipX0)
            notes.Add($"diffusers: {DiffusersSchedulerClass.ForSampler(sampler.Name).Name} does not clip x0 to [-1, 1] as this run's sampler does " +
                "(it has no such field)");
        return notes;
    }

    /// <summary>
    /// The forward process and default sampler of a DDPM run (image: its sampler; toy: ancestral DDPM with its variance, unclipped)
    /// written as <paramref name="folder"/>/scheduler_config.json (the layout of a diffusers pipeline's <c>scheduler/</c> folder, which
    /// <c>SchedulerClass.from_pretrained(folder)</c> reads). Returns the file and the notes for a diffusers user.
    /// </summary>
    public static (string Path, IReadOnlyList<string> Notes) FromRun(Training.RunDirectory run, string folder, bool force)
    {
        string kind = Training.RunConfigFile.ReadKind(run);
        NoiseScheduleConfig schedule;
        SamplerSpec sampler;
        string prediction;
        if (kind == Diffusion.Images.ImageDdpmConfig.Kind)
        {
            var image = Training.RunConfigFile.Read<Diffusion.Images.ImageDdpmConfig>(run).Validate();
            (schedule, sampler, prediction) = (image.Schedule, image.Sampler.Validate(image.Schedule.Timesteps), image.Objective.Prediction);
        }
        else if (kind == Diffusion.Toy.ToyDdpmConfig.Kind)
        {
            var toy = Training.RunConfigFile.Read<Diffusion.Toy.ToyDdpmConfig>(run).Validate();
            (schedule, sampler, prediction) = (toy.Schedule, new SamplerSpec("ddpm", Variance: toy.SamplerVariance, ClipX0: false),
                toy.Objective.Prediction);
        }
        else
        {
            throw new ConfigException($"{run.Root}: a '{kind}' run has no diffusion scheduler; diffusers scheduler configs describe DDPM " +
                "runs (train ddpm)");
        }
        string path = System.IO.Path.Combine(System.IO.Path.GetFullPath(folder), FileName);
        if (run.Owns(path)) throw new ConfigException($"--out {folder}: inside the run's own files; choose a folder outside {run.Root}");
        string json = ToJson(schedule, sampler, prediction); // refuses what diffusers cannot express before anything is written
        if (!force && File.Exists(path)) throw new ConfigException($"{path} exists; pass --force to overwrite it, or choose another --out");
        Training.AtomicFile.WriteAllText(path, json);
        return (path, Notes(sampler, schedule.Timesteps));
    }

    /// <summary>Writes <see cref="ToJson"/> to <paramref name="path"/>; an existing file is refused unless <paramref name="force"/>.</summary>
    public static void Write(string path, NoiseScheduleConfig schedule, SamplerSpec sampler, bool force)
    {
        if (!force && File.Exists(path)) throw new ConfigException($"{path} exists; pass --force to overwrite it, or choose another --out");
        Training.AtomicFile.WriteAllText(path, ToJson(schedule, sampler));
    }
}
