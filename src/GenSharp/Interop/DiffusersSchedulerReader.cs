using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using GenSharp.Diffusion;
using GenSharp.Diffusion.Samplers;

namespace GenSharp.Interop;

/// <summary>
/// Reads a diffusers <c>scheduler_config.json</c> of a <see cref="DiffusersSchedulerClass"/> into GenSharp's noise schedule and
/// sampler (docs/interop.md#diffusers-scheduler-configs). A missing field takes diffusers' default for that class (what
/// <c>from_config</c> does). Every field is read: a value GenSharp cannot honour (prediction_type sample, beta_schedule
/// scaled_linear, trained_betas, thresholding, learned variances, Karras sigmas, ...) and a field GenSharp does not
/// know are refused with a one-line <see cref="ConfigException"/>; a value that has no effect is reported in
/// <see cref="DiffusersSchedulerSettings.Notes"/>. Keys starting with '_' are diffusers' bookkeeping (<c>_class_name</c>,
/// <c>_diffusers_version</c>); <c>_gensharp_sampler</c> (written by <see cref="DiffusersSchedulerWriter"/>) carries what a diffusers
/// config cannot: the sampling steps and DDIM's eta.
/// </summary>
public static class DiffusersSchedulerReader
{
    /// <summary>Reads and maps the config at <paramref name="path"/>.</summary>
    public static DiffusersSchedulerSettings Read(string path)
    {
        var bytes = GenSharp.Files.InputFile.ReadAllBytes(path, 1 << 20, m => new ConfigException(m));
        return Parse(System.Text.Encoding.UTF8.GetString(bytes), path);
    }

    /// <summary>Maps the config text <paramref name="json"/>; <paramref name="source"/> names it in errors.</summary>
    public static DiffusersSchedulerSettings Parse(string json, string source)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(PythonJson.Quote(json)) as JsonObject
                ?? throw new ConfigException($"{source}: not a JSON object; a scheduler_config.json holds one object of fields");
        }
        catch (JsonException e)
        {
            throw new ConfigException($"{source}: not valid JSON ({e.Message.Split('\n')[0].TrimEnd('.')}); give a diffusers scheduler_config.json");
        }
        var cls = DiffusersSchedulerClass.Find(root["_class_name"] is JsonValue v && v.TryGetValue(out string? n) ? n : null, source);
        var f = new Fields(source, cls, root);
        var notes = new List<string>();

        var schedule = ReadSchedule(f, notes);
        var sampler = cls.Sampler switch
        {
            "ddpm" => ReadDdpm(f, notes),
            "ddim" => ReadDdim(f, notes),
            "unipc" => ReadUniPc(f, notes),
            _ => ReadDpmSolver(f, notes),
        };
        sampler = ApplyGenSharpSampler(f, sampler, notes);
        try
        {
            schedule.Validate();
            sampler = sampler.Validate(schedule.Timesteps);
        }
        catch (ConfigException e)
        {
            throw new ConfigException($"{source}: {e.Message}", e);
        }
        return new DiffusersSchedulerSettings(cls.Name, schedule, sampler, notes, ReadPrediction(f));
    }

    private static NoiseScheduleConfig ReadSchedule(Fields f, List<string> notes)
    {
        int T = f.Int("num_train_timesteps");
        if (T < 1 || T > 100_000) throw f.Refuse("num_train_timesteps", "must be between 1 and 100000");
        if (f.Node("trained_betas") is not null)
            throw f.Refuse("trained_betas", "an explicit beta list; GenSharp's schedules are linear and cosine (squaredcos_cap_v2) only");
        if (f.Bool("rescale_betas_zero_snr"))
            throw f.Refuse("rescale_betas_zero_snr", "zero terminal SNR rescaling is not implemented in GenSharp; use false");
        if (f.Bool("thresholding"))
            throw f.Refuse("thresholding", "dynamic thresholding (Imagen) is not implemented; use false (clip_sample clips x0 to [-1, 1])");
        f.NoEffectUnlessDefault("dynamic_thresholding_ratio", "thresholding is false", notes);
        f.NoEffectUnlessDefault("sample_max_value", "thresholding is false", notes);
        double start = f.Double("beta_start"), end = f.Double("beta_end");
        switch (f.String("beta_schedule"))
        {
            case "linear":
                return new NoiseScheduleConfig("linear", T, start, end);
            case "squaredcos_cap_v2": // Nichol & Dhariwal with s = 0.008 and max_beta 0.999, as GenSharp's cosine (docs/ddpm.md#noise-schedules)
                notes.Add($"beta_start {Text(start)} and beta_end {Text(end)}: not used by squaredcos_cap_v2 (in diffusers neither)");
                var defaults = new NoiseScheduleConfig();
                return new NoiseScheduleConfig("cosine", T, defaults.BetaStart, defaults.BetaEnd);
            case var other:
                throw f.Refuse("beta_schedule", $"'{other}' is not one of GenSharp's schedules; linear and squaredcos_cap_v2 (cosine) are");
        }
    }

    /// <summary>prediction_type: epsilon, or v_prediction (GenSharp's --prediction v, docs/ddpm.md#objective).</summary>
    private static string ReadPrediction(Fields f) => f.String("prediction_type") switch
    {
        "epsilon" => DdpmObjective.Epsilon,
        "v_prediction" => DdpmObjective.V,
        _ => throw f.Refuse("prediction_type", "GenSharp's networks predict epsilon or v (v_prediction); sample is not implemented"),
    };

    private static SamplerSpec ReadDdpm(Fields f, List<string> notes)
    {
        string variance = f.String("variance_type") switch
        {
            "fixed_small" => "beta_tilde", // the posterior variance, clamped at 1e-20 in diffusers
            "fixed_large" => "beta",
            var other => throw f.Refuse("variance_type", $"'{other}' is not implemented; GenSharp's ancestral sampler has fixed_small " +
                "(beta_tilde) and fixed_large (beta), its networks predict no variance"),
        };
        bool clip = ReadClip(f);
        int offset = f.Int("steps_offset");
        string spacing = f.String("timestep_spacing");
        if (!TimestepTable.DiffusersSpacings.Contains(spacing)) throw f.Refuse("timestep_spacing", "use linspace, leading or trailing");
        notes.Add($"timestep_spacing {spacing}, steps_offset {offset}: apply only when diffusers samples with fewer than T steps; GenSharp's " +
            "ddpm sampler walks all T steps (for fewer, --sampler ddim --eta 1)");
        return new SamplerSpec("ddpm", Variance: variance, ClipX0: clip);
    }

    private static SamplerSpec ReadDdim(Fields f, List<string> notes)
    {
        if (!f.Bool("set_alpha_to_one"))
            throw f.Refuse("set_alpha_to_one", "false ends DDIM at abar_0 = alpha_1; GenSharp's last step lands on abar = 1 (x_0), use true");
        bool clip = ReadClip(f);
        var (spacing, offset) = ReadSpacing(f, notes);
        notes.Add("eta: a step() argument in diffusers, not a config field; GenSharp uses 0 (deterministic) unless --eta is given");
        return new SamplerSpec("ddim", Spacing: spacing, ClipX0: clip, StepsOffset: offset);
    }

    private static SamplerSpec ReadDpmSolver(Fields f, List<string> notes)
    {
        int order = f.Int("solver_order");
        if (order is not (2 or 3)) throw f.Refuse("solver_order", "GenSharp's DPM-Solver++ is the multistep 2M (dpmpp) or 3M (dpmpp3); use 2 or 3");
        f.Require("algorithm_type", "dpmsolver++", "GenSharp implements DPM-Solver++ (data prediction, no SDE variant)");
        f.Require("solver_type", "midpoint", "GenSharp's 2M update is the midpoint form of Lu et al. 2022, Algorithm 2");
        foreach (string sigmas in new[] { "use_karras_sigmas", "use_exponential_sigmas", "use_beta_sigmas", "use_flow_sigmas" })
            if (f.Bool(sigmas)) throw f.Refuse(sigmas, "GenSharp's steps are the timestep table's (timestep_spacing, or use_lu_lambdas); use false");
        f.NoEffectUnlessDefault("flow_shift", "use_flow_sigmas is false", notes);
        f.Require("final_sigmas_type", "zero", "GenSharp's last step lands on sigma = 0 (x_0)");
        if (f.Node("lambda_min_clipped") is not JsonValue l || !l.TryGetValue(out string? inf) || inf != "-Infinity")
            throw f.Refuse("lambda_min_clipped", "GenSharp does not clip lambda; use -Infinity (diffusers' default)");
        if (f.Node("variance_type") is not null)
            throw f.Refuse("variance_type", "learned variances are not implemented; GenSharp's networks predict the noise only, use null");
        bool lowerOrderFinal = f.Bool("lower_order_final"), eulerAtFinal = f.Bool("euler_at_final");
        notes.Add($"lower_order_final {Lower(lowerOrderFinal)}, euler_at_final {Lower(eulerAtFinal)}: with final_sigmas_type zero the last " +
            "step is first order either way, as in GenSharp");
        var (spacing, offset) = ReadSpacing(f, notes);
        if (f.Bool("use_lu_lambdas"))
        {
            notes.Add($"use_lu_lambdas true: GenSharp's logsnr spacing (steps uniform in lambda); timestep_spacing {spacing} has no effect");
            (spacing, offset) = (TimestepTable.LogSnr, 0);
        }
        return new SamplerSpec(order == 3 ? "dpmpp3" : "dpmpp", Spacing: spacing, ClipX0: false, StepsOffset: offset);
    }

    private static SamplerSpec ReadUniPc(Fields f, List<string> notes)
    {
        if (f.Int("solver_order") != 2) throw f.Refuse("solver_order", "GenSharp's UniPC is UniPC-2 (diffusers' default); use 2");
        if (!f.Bool("predict_x0")) throw f.Refuse("predict_x0", "GenSharp's UniPC updates the data prediction; use true");
        f.Require("solver_type", "bh2", "GenSharp's UniPC is the B(h) = e^h - 1 variant (bh2, diffusers' default)");
        if (!f.Bool("lower_order_final"))
            throw f.Refuse("lower_order_final", "GenSharp's last step onto sigma = 0 is first order (a second-order one is undefined there)");
        if (f.Node("disable_corrector") is not JsonArray { Count: 0 })
            throw f.Refuse("disable_corrector", "GenSharp's UniPC corrects after every step but the last; use []");
        if (f.Node("solver_p") is not null) throw f.Refuse("solver_p", "GenSharp's predictor is UniP-2 itself; use null");
        foreach (string flag in new[] { "use_karras_sigmas", "use_exponential_sigmas", "use_beta_sigmas",
            "use_flow_sigmas", "use_dynamic_shifting" })
            if (f.Bool(flag)) throw f.Refuse(flag, "GenSharp's steps are the timestep table's (timestep_spacing); use false");
        f.NoEffectUnlessDefault("flow_shift", "use_flow_sigmas is false", notes);
        f.NoEffectUnlessDefault("time_shift_type", "use_dynamic_shifting is false", notes);
        f.Require("final_sigmas_type", "zero", "GenSharp's last step lands on sigma = 0 (x_0)");
        var (spacing, offset) = ReadSpacing(f, notes);
        return new SamplerSpec("unipc", Spacing: spacing, ClipX0: false, StepsOffset: offset);
    }

    private static bool ReadClip(Fields f)
    {
        bool clip = f.Bool("clip_sample");
        double range = f.Double("clip_sample_range");
        if (clip && range != 1.0) throw f.Refuse("clip_sample_range", "GenSharp clips x0 to [-1, 1] only; use 1.0 or clip_sample false");
        return clip;
    }

    private static (string Spacing, int Offset) ReadSpacing(Fields f, List<string> notes)
    {
        string spacing = f.String("timestep_spacing");
        if (!TimestepTable.DiffusersSpacings.Contains(spacing)) throw f.Refuse("timestep_spacing", "use linspace, leading or trailing");
        int offset = f.Int("steps_offset");
        if (offset < 0) throw f.Refuse("steps_offset", "must be >= 0");
        if (offset == 0 || spacing == "leading") return (spacing, offset);
        notes.Add($"steps_offset {offset}: diffusers adds it to the leading spacing only; no effect with {spacing}");
        return (spacing, 0);
    }

    /// <summary>The steps (and DDIM's eta) of <c>_gensharp_sampler</c>, when a GenSharp export wrote one for this sampler.</summary>
    private static SamplerSpec ApplyGenSharpSampler(Fields f, SamplerSpec spec, List<string> notes)
    {
        if (f.Root["_gensharp_sampler"] is not JsonObject g) return spec;
        if (g["name"]?.GetValue<string>() != spec.Name)
            throw f.Refuse("_gensharp_sampler", $"names another sampler than {f.Class.Name}'s {spec.Name}; remove it or fix _class_name");
        try
        {
            int? steps = g["steps"]?.GetValue<int>();
            double eta = spec.Name == "ddim" ? g["eta"]?.GetValue<double>() ?? 0 : 0;
            bool dpm = spec.Name is "dpmpp" or "dpmpp3" or "unipc";
            bool clip = dpm ? g["clip_x0"]?.GetValue<bool>() ?? false : spec.ClipX0;
            if (dpm && clip) notes.Add("_gensharp_sampler clip_x0 true: GenSharp clips the solver's x0 to [-1, 1]");
            return spec with { Steps = steps, Eta = eta, ClipX0 = clip };
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw f.Refuse("_gensharp_sampler", "steps must be an integer, eta a number, clip_x0 true or false");
        }
    }

    private static string Text(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    private static string Lower(bool b) => b ? "true" : "false";

    /// <summary>The config's fields over the class's defaults; unknown fields refused.</summary>
    private sealed class Fields
    {
        public Fields(string source, DiffusersSchedulerClass cls, JsonObject root)
        {
            (Source, Class, Root) = (source, cls, root);
            foreach (var (key, _) in root)
                if (!key.StartsWith('_') && !cls.Defaults.ContainsKey(key))
                    throw new ConfigException($"{source}: field '{key}' is not a {cls.Name} field GenSharp knows; remove it if it is at " +
                        "diffusers' default, or use a config diffusers itself wrote");
        }

        public string Source { get; }
        public DiffusersSchedulerClass Class { get; }
        public JsonObject Root { get; }

        public JsonNode? Node(string key) => Root.TryGetPropertyValue(key, out var n) ? n : Class.Defaults[key];

        public ConfigException Refuse(string key, string why) =>
            new($"{Source}: {key} {Show(Node(key))}: {why}");

        public string String(string key) => Get(key, (JsonValue v, out string? s) => v.TryGetValue(out s), "a string")!;

        public bool Bool(string key) => Get(key, (JsonValue v, out bool b) => v.TryGetValue(out b), "true or false");

        public double Double(string key) => Get(key, (JsonValue v, out double d) => v.TryGetValue(out d), "a number");

        public int Int(string key) => Get(key, (JsonValue v, out int i) => v.TryGetValue(out i), "an integer");

        public void Require(string key, string value, string why)
        {
            if (String(key) != value) throw Refuse(key, why);
        }

        public void NoEffectUnlessDefault(string key, string because, List<string> notes)
        {
            if (Root.TryGetPropertyValue(key, out var n) && !JsonNode.DeepEquals(n, Class.Defaults[key]))
                notes.Add($"{key} {Show(n)}: no effect, {because}");
        }

        private delegate bool TryGet<T>(JsonValue value, out T result);

        private T Get<T>(string key, TryGet<T> tryGet, string expected) =>
            Node(key) is JsonValue v && tryGet(v, out var result) ? result : throw Refuse(key, $"expected {expected}");

        private static string Show(JsonNode? n) => n is null ? "null" : n.ToJsonString();
    }
}
