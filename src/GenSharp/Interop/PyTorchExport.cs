using System.Reflection;
using System.Text.Json;
using GenSharp.Diffusion.Images;
using GenSharp.Gan;
using GenSharp.Nn;
using GenSharp.Score.Images;
using GenSharp.Training;
using GenSharp.Vae;
using static TorchSharp.torch;

namespace GenSharp.Interop;

/// <summary>
/// A GenSharp network for PyTorch (docs/interop.md#pytorch): a folder with
/// <list type="bullet">
/// <item><c>model.safetensors</c>: plain safetensors, the state dict under PyTorch's names (GenSharp's module field names are
/// PyTorch's: <c>temb.0.weight</c>, <c>down.0.0.norm1.weight</c>, <c>encoder.conv1.weight</c>, <c>generator.bn1.running_mean</c>, ...),
/// float32 as trained, with no GenSharp prefix (<c>model.</c>/<c>ema.</c>) and no optimiser state;</item>
/// <item><c>export.json</c>: the family and the keyword arguments of its PyTorch class;</item>
/// <item><c>gensharp_pytorch.py</c>: the one-file loader (module definitions, a safetensors reader/writer, <c>load(folder)</c>).</item>
/// </list>
/// <see cref="Nn.ExactConv2d"/> keeps every convolution's parameters unpadded, so names and shapes are those of
/// <c>nn.Conv2d</c>; the round trip is checked by the tests against PyTorch itself.
/// </summary>
public static class PyTorchExport
{
    public const string WeightsFile = "model.safetensors";
    public const string DescriptionFile = "export.json";
    public const string LoaderFile = "gensharp_pytorch.py";
    public const string Format = "gensharp-pytorch-v1";

    /// <summary>The files an export writes into <paramref name="folder"/>.</summary>
    public static string[] Files(string folder) => [.. new[] { WeightsFile, DescriptionFile, LoaderFile }.Select(f => Path.Combine(folder, f))];

    /// <summary>The Python loader's source (interop/python/gensharp_pytorch.py, embedded in the library).</summary>
    public static string LoaderSource()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("GenSharp.Interop.gensharp_pytorch.py")
            ?? throw new InvalidOperationException("the PyTorch loader is missing from the GenSharp assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// Exports the network a run samples with (the EMA weights of a DDPM's or NCSN's latest checkpoint; a VAE's weights; a GAN's
    /// generator, its EMA when the run keeps one, with its discriminator) into <paramref name="folder"/>. Existing files are refused
    /// unless <paramref name="force"/>. Returns the files written.
    /// </summary>
    public static IReadOnlyList<string> FromRun(RunDirectory run, string folder, bool force)
    {
        string full = Path.GetFullPath(folder);
        if (run.Owns(full))
            throw new ConfigException($"--out {folder}: inside the run's own files; choose a folder outside {run.Root} (or under its samples/)");
        string kind = RunConfigFile.ReadKind(run);
        if (kind is not (ImageDdpmConfig.Kind or ImageNcsnConfig.Kind or VaeConfig.Kind or GanConfig.Kind))
            throw new ConfigException($"{run.Root}: a '{kind}' run has no PyTorch export; the loader covers {ImageDdpmConfig.Kind}, " +
                $"{ImageNcsnConfig.Kind}, {VaeConfig.Kind} and {GanConfig.Kind} runs (docs/interop.md#pytorch)");
        RequireWritable(full, force);
        string checkpoint = Checkpoint.FindLatest(run.CheckpointsDir)
            ?? throw new ConfigException($"{run.Root} has no checkpoint yet; train it first");
        var source = new Dictionary<string, string> { ["source_checkpoint"] = checkpoint };
        switch (kind)
        {
            case ImageDdpmConfig.Kind:
            {
                var config = RunConfigFile.Read<ImageDdpmConfig>(run).Validate();
                using var unet = new UNet(config.Network);
                Checkpoint.LoadModule(checkpoint, "ema", unet);
                return Write(full, PyTorchArchitecture.Ddpm(config.Network), unet, force, With(source, "ema"));
            }
            case ImageNcsnConfig.Kind:
            {
                var config = RunConfigFile.Read<ImageNcsnConfig>(run).Validate();
                using var score = new UNetScoreNetwork(config.Network);
                Checkpoint.LoadModule(checkpoint, "ema", score);
                return Write(full, PyTorchArchitecture.Ncsn(config.Network), score, force, With(source, "ema"));
            }
            case VaeConfig.Kind:
            {
                using var vae = VaeRecipe.Load(run, CPU);
                return Write(full, PyTorchArchitecture.Vae(vae.Config), vae, force, With(source, "model"));
            }
            default:
            {
                var config = RunConfigFile.Read<GanConfig>(run).Validate();
                using var pair = new GanPair(config.Network);
                Checkpoint.LoadModule(checkpoint, "model", pair);
                if (config.Training.EmaDecay > 0) Checkpoint.LoadModule(checkpoint, "ema", pair.Generator); // what `sample` draws from
                string weights = config.Training.EmaDecay > 0 ? "generator: ema, discriminator: model" : "model";
                return Write(full, PyTorchArchitecture.Gan(config.Network), pair, force, With(source, weights));
            }
        }
    }

    /// <summary>
    /// Writes <paramref name="module"/>'s state dict, <paramref name="architecture"/> and the loader into <paramref name="folder"/>
    /// (created when missing). Every target is checked before anything is written: an existing file is refused unless
    /// <paramref name="force"/>.
    /// </summary>
    public static IReadOnlyList<string> Write(string folder, PyTorchArchitecture architecture, nn.Module module, bool force,
        IReadOnlyDictionary<string, string>? details = null)
    {
        string full = Path.GetFullPath(folder);
        RequireWritable(full, force);
        Directory.CreateDirectory(full);
        var files = Files(full);
        using (var scope = NewDisposeScope())
        {
            var tensors = module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().cpu().contiguous(), StringComparer.Ordinal);
            Safetensors.Save(files[0], tensors, new Dictionary<string, string> { ["format"] = "pt", ["gensharp_model"] = architecture.Model });
        }
        var description = new Dictionary<string, object>
        {
            ["format"] = Format,
            ["model"] = architecture.Model,
            ["network"] = architecture.Network,
            ["weights"] = WeightsFile,
        };
        foreach (var (key, value) in details ?? new Dictionary<string, string>()) description[key] = value;
        AtomicFile.WriteAllText(files[1], JsonSerializer.Serialize(description, JsonDefaults.Options) + "\n");
        AtomicFile.WriteAllText(files[2], LoaderSource());
        return files;
    }

    private static void RequireWritable(string folder, bool force)
    {
        var kind = GenSharp.Files.FileKinds.Of(folder);
        if (kind is not (GenSharp.Files.FileKind.Missing or GenSharp.Files.FileKind.Directory))
            throw new ConfigException($"--out {folder}: is {GenSharp.Files.FileKinds.Describe(kind)}, not a folder; choose another --out");
        if (force) return;
        var existing = Files(folder).FirstOrDefault(File.Exists);
        if (existing is not null)
            throw new ConfigException($"{existing} exists; pass --force to overwrite the export, or choose another --out");
    }

    private static Dictionary<string, string> With(Dictionary<string, string> details, string weights) =>
        new(details) { ["source_weights"] = weights };
}
