using System.Text.Json.Nodes;

namespace GenSharp.Interop;

/// <summary>
/// The four diffusers schedulers GenSharp reads and writes (docs/interop.md#diffusers-scheduler-configs): each with every field of
/// its constructor (the fields a <c>scheduler_config.json</c> holds) and diffusers' default for it, and the GenSharp sampler it maps
/// to. Field names and defaults are those of diffusers' <c>DDPMScheduler</c>, <c>DDIMScheduler</c>,
/// <c>DPMSolverMultistepScheduler</c> and <c>UniPCMultistepScheduler</c> (src/diffusers/schedulers/scheduling_ddpm.py, scheduling_ddim.py,
/// scheduling_dpmsolver_multistep.py, and the API pages docs/source/en/api/schedulers/*.md). diffusers writes
/// <c>lambda_min_clipped = -inf</c> as the bare token <c>-Infinity</c>; it is held here as the string "-Infinity"
/// (<see cref="PythonJson"/>).
/// </summary>
public sealed record DiffusersSchedulerClass(string Name, string Sampler, JsonObject Defaults)
{
    private const string Common = """
        "num_train_timesteps": 1000, "beta_start": 0.0001, "beta_end": 0.02, "beta_schedule": "linear", "trained_betas": null,
        "prediction_type": "epsilon", "thresholding": false, "dynamic_thresholding_ratio": 0.995, "sample_max_value": 1.0,
        "steps_offset": 0, "rescale_betas_zero_snr": false
        """;

    /// <summary>Ancestral DDPM (Ho et al. 2020): GenSharp's <c>ddpm</c> sampler.</summary>
    public static readonly DiffusersSchedulerClass Ddpm = Of("DDPMScheduler", "ddpm", """
        "variance_type": "fixed_small", "clip_sample": true, "clip_sample_range": 1.0, "timestep_spacing": "leading"
        """);

    /// <summary>DDIM (Song et al. 2021): GenSharp's <c>ddim</c> sampler.</summary>
    public static readonly DiffusersSchedulerClass Ddim = Of("DDIMScheduler", "ddim", """
        "clip_sample": true, "clip_sample_range": 1.0, "set_alpha_to_one": true, "timestep_spacing": "leading"
        """);

    /// <summary>DPM-Solver++(2M) (Lu et al. 2022): GenSharp's <c>dpmpp</c> sampler.</summary>
    public static readonly DiffusersSchedulerClass DpmSolverMultistep = Of("DPMSolverMultistepScheduler", "dpmpp", """
        "solver_order": 2, "algorithm_type": "dpmsolver++", "solver_type": "midpoint", "lower_order_final": true,
        "euler_at_final": false, "use_karras_sigmas": false, "use_exponential_sigmas": false, "use_beta_sigmas": false,
        "use_lu_lambdas": false, "use_flow_sigmas": false, "flow_shift": 1.0, "final_sigmas_type": "zero",
        "lambda_min_clipped": "-Infinity", "variance_type": null, "timestep_spacing": "linspace"
        """);

    /// <summary>UniPC (Zhao et al. 2023), bh2, order 2, data prediction: GenSharp's <c>unipc</c> sampler (scheduling_unipc_multistep.py).</summary>
    public static readonly DiffusersSchedulerClass UniPcMultistep = Of("UniPCMultistepScheduler", "unipc", """
        "solver_order": 2, "predict_x0": true, "solver_type": "bh2", "lower_order_final": true, "disable_corrector": [],
        "solver_p": null, "use_karras_sigmas": false, "use_exponential_sigmas": false, "use_beta_sigmas": false, "use_flow_sigmas": false,
        "flow_shift": 1.0, "timestep_spacing": "linspace", "final_sigmas_type": "zero", "use_dynamic_shifting": false,
        "time_shift_type": "exponential"
        """);

    public static readonly IReadOnlyList<DiffusersSchedulerClass> All = [Ddpm, Ddim, DpmSolverMultistep, UniPcMultistep];

    /// <summary>The class called <paramref name="name"/>; another name is a one-line error listing the four.</summary>
    public static DiffusersSchedulerClass Find(string? name, string source) =>
        All.FirstOrDefault(c => c.Name == name)
        ?? throw new ConfigException($"{source}: _class_name {(name is null ? "missing" : $"'{name}'")}: GenSharp reads " +
            $"{string.Join(", ", All.Select(c => c.Name))} configs; pick a scheduler config of one of those");

    /// <summary>The class for GenSharp's sampler <paramref name="sampler"/>.</summary>
    public static DiffusersSchedulerClass ForSampler(string sampler) =>
        All.FirstOrDefault(c => c.Sampler == sampler || sampler == "dpmpp3" && c == DpmSolverMultistep)   // 3M: solver_order 3
        ?? throw new ConfigException(
            $"sampler {sampler}: has no diffusers scheduler; export a run that samples with ddpm, ddim, dpmpp, dpmpp3 or unipc");

    private static DiffusersSchedulerClass Of(string name, string sampler, string fields) =>
        new(name, sampler, JsonNode.Parse("{" + Common + ", " + fields + "}")!.AsObject());
}
