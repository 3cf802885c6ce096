using GenSharp.Diffusion;
using GenSharp.Diffusion.Samplers;
using GenSharp.Interop;

namespace GenSharp.Tests.Interop;

/// <summary>
/// diffusers scheduler configs (docs/interop.md#diffusers-scheduler-configs) against field values and timesteps taken from diffusers
/// itself: its scheduler tests (tests/schedulers/test_scheduler_ddim.py, test_scheduler_dpm_multi.py: get_scheduler_config and
/// test_steps_offset), its DPMSolverMultistepScheduler.set_timesteps formulas, and configs published on the Hugging Face Hub.
/// </summary>
public sealed class DiffusersSchedulerTests
{
    /// <summary>diffusers' DDIMScheduler test config with steps_offset = 1: set_timesteps(5) gives [801, 601, 401, 201, 1]
    /// (test_scheduler_ddim.py, test_steps_offset); the missing fields take DDIMScheduler's defaults (leading spacing).</summary>
    [Fact]
    public void DdimTestConfigWithStepsOffsetGivesDiffusersTimesteps()
    {
        var s = DiffusersSchedulerReader.Parse("""
            {"_class_name": "DDIMScheduler", "num_train_timesteps": 1000, "beta_start": 0.0001, "beta_end": 0.02,
             "beta_schedule": "linear", "clip_sample": true, "steps_offset": 1}
            """, "ddim.json");
        Assert.Equal(new NoiseScheduleConfig("linear", 1000, 1e-4, 0.02), s.Schedule);
        Assert.Equal(("ddim", "leading", 1, true, 0.0), (s.Sampler.Name, s.Sampler.Spacing, s.Sampler.StepsOffset, s.Sampler.ClipX0, s.Sampler.Eta));
        var table = TimestepTable.Create(1000, 5, s.Sampler.Spacing, s.Sampler.StepsOffset);
        Assert.Equal([801, 601, 401, 201, 1], table.Timesteps);

        using var diffusion = new GaussianDiffusion(new NoiseSchedule(s.Schedule));
        var sampler = (s.Sampler with { Steps = 5 }).Create(diffusion);
        Assert.Equal([801, 601, 401, 201, 1], ((DdimSampler)sampler).Table.Timesteps);
    }

    /// <summary>diffusers' DPMSolverMultistepScheduler test config (test_scheduler_dpm_multi.py) with final_sigmas_type "zero", and
    /// -inf written as Python's json writes it. Its linspace table is np.linspace(0, T-1, K+1).round()[::-1][:-1]
    /// (scheduling_dpmsolver_multistep.py, set_timesteps): [999, 799, 599, 400, 200] for K = 5.</summary>
    [Fact]
    public void DpmSolverTestConfigMapsToDpmppWithDiffusersLinspaceTable()
    {
        var s = DiffusersSchedulerReader.Parse("""
            {"_class_name": "DPMSolverMultistepScheduler", "num_train_timesteps": 1000, "beta_start": 0.0001, "beta_end": 0.02,
             "beta_schedule": "linear", "solver_order": 2, "prediction_type": "epsilon", "thresholding": false, "sample_max_value": 1.0,
             "algorithm_type": "dpmsolver++", "solver_type": "midpoint", "lower_order_final": false, "euler_at_final": false,
             "lambda_min_clipped": -Infinity, "variance_type": null, "final_sigmas_type": "zero"}
            """, "dpm.json");
        Assert.Equal(("dpmpp", "linspace", false), (s.Sampler.Name, s.Sampler.Spacing, s.Sampler.ClipX0));
        Assert.Equal(20, s.Sampler.Steps); // GenSharp's default for dpmpp at T = 1000 (steps are not a config field)
        using var diffusion = new GaussianDiffusion(new NoiseSchedule(s.Schedule));
        var sampler = (s.Sampler with { Steps = 5 }).Create(diffusion);
        Assert.Equal([999, 799, 599, 400, 200], ((DpmSolverPlusPlusSampler)sampler).Table.Timesteps);
        Assert.Contains(s.Notes, n => n.StartsWith("lower_order_final false", StringComparison.Ordinal));
    }

    /// <summary>DDPMScheduler: fixed_small is the posterior variance beta_tilde, fixed_large is beta (Ho et al. 2020, section 3.2).</summary>
    [Theory]
    [InlineData("fixed_small", "beta_tilde")]
    [InlineData("fixed_large", "beta")]
    public void DdpmVarianceTypesMapToGenSharpsVariances(string variance, string expected)
    {
        var s = DiffusersSchedulerReader.Parse($$"""{"_class_name": "DDPMScheduler", "variance_type": "{{variance}}"}""", "ddpm.json");
        Assert.Equal(("ddpm", expected, true), (s.Sampler.Name, s.Sampler.Variance, s.Sampler.ClipX0));
        Assert.Contains(s.Notes, n => n.Contains("walks all T steps", StringComparison.Ordinal));
    }

    /// <summary>squaredcos_cap_v2 is diffusers' betas_for_alpha_bar: beta_i = min(1 - abar((i+1)/T) / abar(i/T), 0.999),
    /// abar(t) = cos^2((t + 0.008) / 1.008 * pi / 2), i.e. GenSharp's cosine schedule (docs/ddpm.md#noise-schedules).</summary>
    [Fact]
    public void SquaredCosCapV2IsTheCosineScheduleInClosedForm()
    {
        var s = DiffusersSchedulerReader.Parse("""{"_class_name": "DDIMScheduler", "beta_schedule": "squaredcos_cap_v2"}""", "cos.json");
        using var schedule = new NoiseSchedule(s.Schedule);
        static double AlphaBar(double t) => Math.Pow(Math.Cos((t + 0.008) / 1.008 * Math.PI / 2), 2);
        for (int i = 0; i < 1000; i++)
            Assert.Equal(Math.Min(1 - AlphaBar((i + 1) / 1000.0) / AlphaBar(i / 1000.0), 0.999), schedule.Betas[i], 12);
        Assert.Equal(0.999, schedule.Betas[999]); // the cap binds at the end
    }

    /// <summary>What GenSharp cannot honour is a one-line error naming the field, its value and what to do; nothing is skipped.</summary>
    [Theory]
    [InlineData("""{"_class_name": "DDIMScheduler", "prediction_type": "sample"}""", "prediction_type \"sample\"")]
    [InlineData("""{"_class_name": "DDIMScheduler", "beta_schedule": "scaled_linear"}""", "beta_schedule \"scaled_linear\"")]
    [InlineData("""{"_class_name": "DDIMScheduler", "beta_schedule": "sigmoid"}""", "beta_schedule \"sigmoid\"")]
    [InlineData("""{"_class_name": "DDIMScheduler", "trained_betas": [0.1, 0.2]}""", "trained_betas [0.1,0.2]")]
    [InlineData("""{"_class_name": "DDIMScheduler", "set_alpha_to_one": false}""", "set_alpha_to_one false")]
    [InlineData("""{"_class_name": "DDIMScheduler", "thresholding": true}""", "thresholding true")]
    [InlineData("""{"_class_name": "DDIMScheduler", "clip_sample_range": 2.0}""", "clip_sample_range 2")]
    [InlineData("""{"_class_name": "DDIMScheduler", "rescale_betas_zero_snr": true}""", "rescale_betas_zero_snr true")]
    [InlineData("""{"_class_name": "DDIMScheduler", "timestep_spacing": "karras"}""", "timestep_spacing \"karras\"")]
    [InlineData("""{"_class_name": "DDIMScheduler", "skip_prk_steps": true}""", "field 'skip_prk_steps' is not a DDIMScheduler field")]
    [InlineData("""{"_class_name": "DDPMScheduler", "variance_type": "learned_range"}""", "variance_type \"learned_range\"")]
    [InlineData("""{"_class_name": "DPMSolverMultistepScheduler", "solver_order": 1}""", "solver_order 1")]
    [InlineData("""{"_class_name": "DPMSolverMultistepScheduler", "algorithm_type": "sde-dpmsolver++"}""", "algorithm_type")]
    [InlineData("""{"_class_name": "DPMSolverMultistepScheduler", "use_karras_sigmas": true}""", "use_karras_sigmas true")]
    [InlineData("""{"_class_name": "DPMSolverMultistepScheduler", "final_sigmas_type": "sigma_min"}""", "final_sigmas_type \"sigma_min\"")]
    [InlineData("""{"_class_name": "DPMSolverMultistepScheduler", "lambda_min_clipped": -5.1}""", "lambda_min_clipped -5.1")]
    [InlineData("""{"_class_name": "PNDMScheduler", "skip_prk_steps": true}""", "_class_name 'PNDMScheduler'")]
    [InlineData("""{"num_train_timesteps": 1000}""", "_class_name missing")]
    [InlineData("""{"_class_name": "DDIMScheduler", "num_train_timesteps": "many"}""", "num_train_timesteps \"many\": expected an integer")]
    [InlineData("""[1, 2]""", "not a JSON object")]
    [InlineData("""{"_class_name": """, "not valid JSON")]
    public void WhatGenSharpCannotHonourIsAOneLineError(string json, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => DiffusersSchedulerReader.Parse(json, "cfg.json"));
        Assert.StartsWith("cfg.json: ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    /// <summary>A published DDIM config of a latent diffusion model
    /// (huggingface.co/CompVis/ldm-super-resolution-4x-openimages, scheduler/scheduler_config.json): scaled_linear is refused.</summary>
    [Fact]
    public void APublishedLatentDiffusionConfigIsRefusedForItsScaledLinearBetas()
    {
        var e = Assert.Throws<ConfigException>(() => DiffusersSchedulerReader.Parse("""
            {"_class_name": "DDIMScheduler", "_diffusers_version": "0.8.0.dev0", "beta_end": 0.0155, "beta_schedule": "scaled_linear",
             "beta_start": 0.0015, "clip_sample": false, "num_train_timesteps": 1000, "set_alpha_to_one": true, "steps_offset": 1,
             "trained_betas": null}
            """, "ldm.json"));
        Assert.Equal("ldm.json: beta_schedule \"scaled_linear\": 'scaled_linear' is not one of GenSharp's schedules; linear and " +
            "squaredcos_cap_v2 (cosine) are", e.Message);
    }

    /// <summary>Fields without effect are reported, not dropped: steps_offset outside the leading spacing, thresholding parameters.</summary>
    [Fact]
    public void FieldsWithoutEffectAreNoted()
    {
        var s = DiffusersSchedulerReader.Parse("""
            {"_class_name": "DDIMScheduler", "timestep_spacing": "trailing", "steps_offset": 1, "sample_max_value": 3.0}
            """, "x.json");
        Assert.Equal(0, s.Sampler.StepsOffset);
        Assert.Contains(s.Notes, n => n.StartsWith("steps_offset 1: diffusers adds it to the leading spacing only", StringComparison.Ordinal));
        Assert.Contains(s.Notes, n => n.StartsWith("sample_max_value 3.0: no effect", StringComparison.Ordinal));
    }

    /// <summary>Writing then reading gives back the same schedule and sampler, for every sampler, with the steps and eta.</summary>
    [Theory]
    [InlineData("ddpm", "linear", "trailing", 0)]
    [InlineData("ddim", "cosine", "leading", 1)]
    [InlineData("ddim", "linear", "trailing", 0)]
    [InlineData("dpmpp", "linear", "linspace", 0)]
    [InlineData("dpmpp", "cosine", "leading", 2)]
    [InlineData("dpmpp3", "linear", "trailing", 0)]
    [InlineData("dpmpp3", "linear", "logsnr", 0)]
    [InlineData("dpmpp", "cosine", "logsnr", 0)]
    [InlineData("unipc", "linear", "trailing", 0)]
    [InlineData("unipc", "cosine", "leading", 1)]
    public void WriteThenReadIsTheIdentity(string name, string kind, string spacing, int offset)
    {
        var schedule = new NoiseScheduleConfig(kind, 500, 2e-4, 0.03);
        var sampler = name == "ddpm"
            ? new SamplerSpec("ddpm", Variance: "beta_tilde", ClipX0: false)
            : new SamplerSpec(name, 25, name == "ddim" ? 0.5 : 0, spacing, ClipX0: true, StepsOffset: offset);
        string json = DiffusersSchedulerWriter.ToJson(schedule, sampler);
        var back = DiffusersSchedulerReader.Parse(json, "w.json");
        var expectedSchedule = kind == "cosine" ? schedule with { BetaStart = 1e-4, BetaEnd = 0.02 } : schedule; // unused by cosine
        Assert.Equal(expectedSchedule, back.Schedule);
        Assert.Equal(sampler.Validate(500), back.Sampler);
        if (name == "dpmpp") Assert.Contains("\"lambda_min_clipped\": -Infinity", json); // as Python's json writes -inf
        if (name == "dpmpp3") Assert.Contains("\"solver_order\": 3", json);
        if (spacing == "logsnr") Assert.Contains("\"use_lu_lambdas\": true", json);      // diffusers' name for steps uniform in lambda
    }

    /// <summary>
    /// diffusers' UniPCMultistepScheduler defaults are GenSharp's unipc on the multistep linspace table; other variants are refused.
    /// </summary>
    [Fact]
    public void UniPcMultistepSchedulerIsReadWithItsDefaultsAndOtherVariantsAreRefused()
    {
        var s = DiffusersSchedulerReader.Parse("""{"_class_name": "UniPCMultistepScheduler"}""", "u.json");
        Assert.Equal(new SamplerSpec("unipc", 20, Spacing: "linspace", ClipX0: false), s.Sampler);
        foreach (var (field, value) in new[] { ("solver_type", "\"bh1\""), ("solver_order", "3"), ("predict_x0", "false"),
                     ("disable_corrector", "[0]"), ("lower_order_final", "false"), ("use_karras_sigmas", "true") })
        {
            var e = Assert.Throws<ConfigException>(() =>
                DiffusersSchedulerReader.Parse($$"""{"_class_name": "UniPCMultistepScheduler", "{{field}}": {{value}}}""", "u.json"));
            Assert.StartsWith($"u.json: {field} ", e.Message);
        }
        var logsnr = Assert.Throws<ConfigException>(() => DiffusersSchedulerWriter.ToJson(new NoiseScheduleConfig(),
            new SamplerSpec("unipc", 10, Spacing: "logsnr")));
        Assert.Contains("UniPCMultistepScheduler has no log-SNR spacing", logsnr.Message);
    }

    /// <summary>prediction_type v_prediction is GenSharp's --prediction v, read and written back; epsilon stays the default.</summary>
    [Fact]
    public void VPredictionIsReadAndWritten()
    {
        var v = DiffusersSchedulerReader.Parse("""{"_class_name": "DPMSolverMultistepScheduler", "prediction_type": "v_prediction"}""", "v.json");
        Assert.Equal(DdpmObjective.V, v.Prediction);
        Assert.Equal(DdpmObjective.Epsilon, DiffusersSchedulerReader.Parse("""{"_class_name": "DDIMScheduler"}""", "e.json").Prediction);
        string json = DiffusersSchedulerWriter.ToJson(new NoiseScheduleConfig(), new SamplerSpec("unipc", 10), DdpmObjective.V);
        Assert.Contains("\"prediction_type\": \"v_prediction\"", json);
        Assert.Equal(DdpmObjective.V, DiffusersSchedulerReader.Parse(json, "w.json").Prediction);
    }

    [Fact]
    public void DdimOnTheLogSnrTableHasNoDiffusersConfig()
    {
        var e = Assert.Throws<ConfigException>(() => DiffusersSchedulerWriter.ToJson(new NoiseScheduleConfig(),
            new SamplerSpec("ddim", 10, Spacing: "logsnr")));
        Assert.Contains("DDIMScheduler has no log-SNR spacing", e.Message);
    }

    [Fact]
    public void ACosineScheduleDiffusersCannotExpressIsRefusedOnExport()
    {
        var e = Assert.Throws<ConfigException>(() =>
            DiffusersSchedulerWriter.ToJson(new NoiseScheduleConfig("cosine", CosineS: 0.01), new SamplerSpec("ddim")));
        Assert.Contains("squaredcos_cap_v2 has s = 0.008", e.Message);
    }

    [Fact]
    public void PythonJsonQuotesOnlyBareTokens()
    {
        Assert.Equal("""{"a": "-Infinity", "b": "NaN x -Infinity", "c": "Infinity"}""",
            PythonJson.Quote("""{"a": -Infinity, "b": "NaN x -Infinity", "c": Infinity}"""));
    }
}
