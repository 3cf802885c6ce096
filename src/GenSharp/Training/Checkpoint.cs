using System.Globalization;
using System.Reflection;
using System.Text.Json;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenSharp.Training;

/// <summary>
/// A whole training state in ONE safetensors file (no pickle):
/// <c>model.&lt;key&gt;</c> and <c>ema.&lt;key&gt;</c> (state-dict keys: parameters and buffers),
/// <c>optim.&lt;i&gt;.&lt;field&gt;</c> (per-parameter optimiser tensors such as exp_avg, exp_avg_sq,
/// square_avg; further named optimisers, e.g. a GAN's discriminator's, under <c>optim.&lt;name&gt;.&lt;i&gt;.&lt;field&gt;</c>),
/// <c>rng</c> (the run's generator state), <c>rng_global</c> (torch's default generator, when saved), and metadata: step,
/// optimiser type, per-parameter
/// scalar state, param-group hyper-parameters, learning-rate schedule, and the caller's strings.
/// Loading copies values into the live tensors (TorchSharp's load_state_dict shares tensors, issue
/// #1172) and checks every key, shape and dtype.
/// </summary>
public static class Checkpoint
{
    /// <summary>The tensor holding torch's default generator state (<see cref="TrainingSnapshot.GlobalRng"/>).</summary>
    public const string GlobalRngKey = "rng_global";

    public static void Save(string path, TrainingSnapshot s)
    {
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (k, v) in s.Model.state_dict()) tensors["model." + k] = v;
        if (s.Ema is not null) foreach (var (k, v) in s.Ema.state_dict()) tensors["ema." + k] = v;
        var metadata = new Dictionary<string, string>(s.Metadata, StringComparer.Ordinal)
        {
            ["format"] = "gensharp-checkpoint-v1",
            ["step"] = s.Step.ToString(CultureInfo.InvariantCulture),
        };
        if (s.LrScheduleJson is not null) metadata["lr_schedule"] = s.LrScheduleJson;
        if (s.Optimizer is OptimizerHelper opt) SaveOptimizer(tensors, metadata, opt, "optim.", "optimizer.");
        foreach (var (name, extra) in s.Optimizers)
            if (extra is OptimizerHelper named) SaveOptimizer(tensors, metadata, named, $"optim.{name}.", $"optimizer.{name}.");
        if (s.Rng is not null) tensors["rng"] = s.Rng.get_state();
        if (s.GlobalRng is not null) tensors[GlobalRngKey] = s.GlobalRng.get_state();
        Safetensors.Save(path, tensors, metadata);
    }

    private static void SaveOptimizer(Dictionary<string, Tensor> tensors, Dictionary<string, string> metadata, OptimizerHelper opt,
        string tensorPrefix, string metaPrefix)
    {
        var dict = opt.state_dict();
        metadata[metaPrefix + "type"] = StateType(opt);
        metadata[metaPrefix + "param_groups"] = JsonSerializer.Serialize(dict.Options.Select(ScalarFields).ToList());
        var scalars = new List<Dictionary<string, double>>();
        for (int i = 0; i < dict.State.Count; i++)
        {
            scalars.Add(ScalarFields(dict.State[i]));
            foreach (var f in TensorFields(dict.State[i]))
                if (f.GetValue(dict.State[i]) is Tensor t && !t.IsInvalid)
                    tensors[$"{tensorPrefix}{i}.{f.Name}"] = t;
        }
        metadata[metaPrefix + "scalars"] = JsonSerializer.Serialize(scalars);
    }

    /// <summary>
    /// Restores everything the snapshot names; returns the step and metadata. The step must lie in
    /// [0, <paramref name="totalSteps"/>] (the run's configured length, when given); every field is checked
    /// before use, so a corrupt or hostile file is refused with a one-line <see cref="CheckpointException"/>.
    /// </summary>
    public static LoadedCheckpoint Load(string path, TrainingSnapshot s, long? totalSteps = null)
    {
        using var content = Safetensors.Load(path);
        CheckpointValidation.Check(path, content);
        var md = content.Metadata;
        RequireFormat(path, md);
        long step = ReadStep(path, md, totalSteps);
        if (s.Rng is not null)
        {
            if (!content.Tensors.TryGetValue("rng", out var rng)) throw new CheckpointException($"{path}: no 'rng' state; it cannot resume exactly");
            GeneratorState.Check(path, rng, s.Rng); // before anything changes: libtorch aborts the process on a bad state
        }
        Tensor? globalRng = null;
        if (s.GlobalRng is not null && content.Tensors.TryGetValue(GlobalRngKey, out globalRng))
            GeneratorState.Check(path, globalRng, s.GlobalRng);
        CopyModule(path, content, "model", s.Model);
        if (s.Ema is not null) CopyModule(path, content, "ema", s.Ema);
        if (s.Optimizer is OptimizerHelper opt) LoadOptimizer(path, content, opt);
        foreach (var (name, extra) in s.Optimizers)
            if (extra is OptimizerHelper named) LoadOptimizer(path, content, named, $"optim.{name}.", $"optimizer.{name}.");
        s.Rng?.set_state(content.Tensors["rng"]);
        if (globalRng is not null) s.GlobalRng!.set_state(globalRng);
        return new LoadedCheckpoint(step, md.GetValueOrDefault("lr_schedule"), md);
    }

    private static long ReadStep(string path, IReadOnlyDictionary<string, string> md, long? totalSteps)
    {
        string text = md["step"];
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long step))
            throw new CheckpointException($"{path}: metadata 'step' is '{Clip(text)}', not an integer; the checkpoint is corrupt");
        if (step < 0)
            throw new CheckpointException($"{path}: metadata 'step' is {step}, it must be >= 0; the checkpoint is corrupt");
        if (step > totalSteps)
            throw new CheckpointException($"{path}: metadata 'step' is {step}, past the run's {totalSteps} steps; the checkpoint is corrupt or " +
                $"belongs to a longer run");
        return step;
    }

    /// <summary>A metadata value, shortened for an error message.</summary>
    private static string Clip(string text) => text.Length <= 40 ? text : text[..40] + "...";

    /// <summary>Loads only the weights under <paramref name="prefix"/> ("model" or "ema") into a module, e.g. for sampling.</summary>
    public static IReadOnlyDictionary<string, string> LoadModule(string path, string prefix, nn.Module module)
    {
        using var content = Safetensors.Load(path);
        CheckpointValidation.Check(path, content);
        RequireFormat(path, content.Metadata);
        CopyModule(path, content, prefix, module);
        return content.Metadata;
    }

    /// <summary>The checkpoint with the highest step in a folder (<c>step-NNNNNNNN.safetensors</c>), or null.</summary>
    public static string? FindLatest(string checkpointDir)
    {
        if (!Directory.Exists(checkpointDir)) return null;
        return Directory.GetFiles(checkpointDir, "step-*.safetensors")
            .Where(f => long.TryParse(Path.GetFileNameWithoutExtension(f)["step-".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .OrderBy(f => long.Parse(Path.GetFileNameWithoutExtension(f)["step-".Length..], CultureInfo.InvariantCulture))
            .LastOrDefault();
    }

    private static void RequireFormat(string path, IReadOnlyDictionary<string, string> md)
    {
        if (!md.TryGetValue("format", out var f) || f != "gensharp-checkpoint-v1" || !md.ContainsKey("step"))
            throw new CheckpointException($"{path}: not a GenSharp checkpoint (no format/step metadata)");
    }

    private static void CopyModule(string path, SafetensorsContent content, string prefix, nn.Module module)
    {
        using var noGrad = no_grad();
        var expected = module.state_dict();
        var present = content.Tensors.Keys.Where(k => k.StartsWith(prefix + ".", StringComparison.Ordinal)).Select(k => k[(prefix.Length + 1)..])
            .ToHashSet();
        var extra = present.Except(expected.Keys).ToList();
        if (extra.Count > 0)
            throw new CheckpointException($"{path}: '{prefix}.{extra[0]}' is not in this model ({extra.Count} unexpected keys); the checkpoint " +
                $"belongs to a different architecture");
        foreach (var (key, live) in expected)
        {
            if (!content.Tensors.TryGetValue($"{prefix}.{key}", out var saved))
                throw new CheckpointException($"{path}: missing '{prefix}.{key}'; the checkpoint belongs to a different architecture or is " +
                    $"incomplete");
            CopyInto(path, $"{prefix}.{key}", live, saved);
        }
    }

    private static void RequireSameLayout(string path, string key, Tensor live, Tensor saved)
    {
        if (!live.shape.SequenceEqual(saved.shape))
            throw new CheckpointException($"{path}: '{key}' has shape [{string.Join(", ", saved.shape)}], the model expects " +
                $"[{string.Join(", ", live.shape)}]");
        if (live.dtype != saved.dtype)
            throw new CheckpointException($"{path}: '{key}' has dtype {saved.dtype}, the model expects {live.dtype}");
    }

    private static void CopyInto(string path, string key, Tensor live, Tensor saved)
    {
        RequireSameLayout(path, key, live, saved);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        live.copy_(saved);
    }

    private static void LoadOptimizer(string path, SafetensorsContent content, OptimizerHelper opt, string tensorPrefix = "optim.",
        string metaPrefix = "optimizer.")
    {
        var md = content.Metadata;
        if (!md.TryGetValue(metaPrefix + "type", out var type))
            throw new CheckpointException($"{path}: no optimizer state; it cannot resume training");
        if (type != StateType(opt))
            throw new CheckpointException($"{path}: optimizer state is {type}, but the run uses {StateType(opt)}");
        var dict = opt.state_dict();
        var groups = ReadScalarList(path, md, metaPrefix + "param_groups");
        var scalars = ReadScalarList(path, md, metaPrefix + "scalars");
        if (groups.Count != dict.Options.Count || scalars.Count != dict.State.Count)
            throw new CheckpointException($"{path}: optimizer has {scalars.Count} parameter states in {groups.Count} groups, the run has " +
                $"{dict.State.Count} in {dict.Options.Count}");
        for (int g = 0; g < groups.Count; g++) SetScalarFields(dict.Options[g], groups[g]);
        for (int i = 0; i < dict.State.Count; i++)
        {
            var state = dict.State[i];
            SetScalarFields(state, scalars[i]);
            foreach (var f in TensorFields(state))
            {
                string key = $"{tensorPrefix}{i}.{f.Name}";
                var live = f.GetValue(state) as Tensor;
                bool has = content.Tensors.TryGetValue(key, out var saved);
                if (!has)
                {
                    if (live is not null && !live.IsInvalid)
                        throw new CheckpointException($"{path}: missing optimizer state '{key}'");
                    continue;
                }
                if (live is null || live.IsInvalid)
                {
                    // Not yet allocated (no step taken): per-parameter state has the parameter's shape and dtype.
                    var parameter = opt.parameters().ElementAt(i);
                    using (var reference = zeros_like(parameter)) RequireSameLayout(path, key, reference, saved!);
                    f.SetValue(state, saved!.clone().to(parameter.device).DetachFromDisposeScope());
                }
                else
                    CopyInto(path, key, live, saved!);
            }
        }
    }

    /// <summary>The optimiser's state layout: <see cref="FusedAdamW"/> keeps AdamW's, so either resumes the other's checkpoints.</summary>
    private static string StateType(OptimizerHelper opt) => opt is TorchSharp.Modules.AdamW ? "AdamW" : opt.GetType().Name;

    /// <summary>A JSON list of name -> number objects from the metadata (optimiser hyper-parameters or per-parameter scalars).</summary>
    private static List<Dictionary<string, double>> ReadScalarList(string path, IReadOnlyDictionary<string, string> md, string key)
    {
        if (!md.TryGetValue(key, out var json))
            throw new CheckpointException($"{path}: metadata '{key}' is missing; the checkpoint is incomplete and cannot resume training");
        List<Dictionary<string, double>?>? list;
        try { list = JsonSerializer.Deserialize<List<Dictionary<string, double>?>>(json); }
        catch (JsonException e)
        {
            throw new CheckpointException($"{path}: metadata '{key}' is not a JSON list of name-number objects ({e.Message.Split('.')[0]}); the " +
                $"checkpoint is corrupt");
        }
        if (list is null || list.Any(d => d is null))
            throw new CheckpointException($"{path}: metadata '{key}' holds null where a list of name-number objects belongs; the checkpoint is " +
                $"corrupt");
        return list.Select(d => d!).ToList();
    }

    private static IEnumerable<FieldInfo> TensorFields(object o) =>
        o.GetType().GetFields(BindingFlags.Public | BindingFlags.Instance).Where(f => f.FieldType == typeof(Tensor))
            .OrderBy(f => f.Name, StringComparer.Ordinal);

    private static Dictionary<string, double> ScalarFields(object o)
    {
        var d = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var f in o.GetType().GetFields(BindingFlags.Public | BindingFlags.Instance))
            if (ToDouble(f.GetValue(o)) is double v) d[f.Name] = v;
        foreach (var p in o.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.CanWrite && p.GetIndexParameters().Length == 0))
            if (ToDouble(p.GetValue(o)) is double v) d[p.Name] = v;
        return d;
    }

    private static void SetScalarFields(object o, Dictionary<string, double> values)
    {
        foreach (var (name, v) in values)
        {
            var f = o.GetType().GetField(name, BindingFlags.Public | BindingFlags.Instance);
            if (f is not null) { f.SetValue(o, FromDouble(f.FieldType, v)); continue; }
            var p = o.GetType().GetProperty(name, BindingFlags.Public | BindingFlags.Instance);
            if (p is not null && p.CanWrite) p.SetValue(o, FromDouble(p.PropertyType, v));
        }
    }

    private static double? ToDouble(object? v) => v switch
    {
        double d => d,
        float f => f,
        long l => l,
        int i => i,
        bool b => b ? 1 : 0,
        _ => null,
    };

    private static object FromDouble(Type type, double v)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(double)) return v;
        if (t == typeof(float)) return (float)v;
        if (t == typeof(long)) return (long)v;
        if (t == typeof(int)) return (int)v;
        if (t == typeof(bool)) return v != 0;
        throw new CheckpointException($"cannot restore optimizer field of type {type.Name}");
    }
}
