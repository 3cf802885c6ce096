using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Evaluation;

/// <summary>
/// The committed Fashion-MNIST feature classifier, loaded for evaluation: features (penultimate layer)
/// and logits for batches of (N, 1, 28, 28) images in [-1, 1]. Every metric it produces names
/// <see cref="Version"/>.
/// </summary>
public sealed class FeatureExtractor : IDisposable
{
    private readonly FeatureClassifier _model;
    private readonly Device _device;

    private FeatureExtractor(FeatureClassifier model, Device device, string path, IReadOnlyDictionary<string, string> metadata)
    {
        _model = model;
        _device = device;
        Path = path;
        Metadata = metadata;
    }

    public string Path { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }
    public string Version => Metadata.GetValueOrDefault("version", FeatureClassifierConfig.Version);

    /// <summary>Where the committed weights are looked for: next to the program, then in models/ of the working tree.</summary>
    public static string DefaultPath()
    {
        string file = FeatureClassifierConfig.Version + ".safetensors";
        string beside = System.IO.Path.Combine(AppContext.BaseDirectory, "models", file);
        if (File.Exists(beside)) return beside;
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            string candidate = System.IO.Path.Combine(dir.FullName, "models", file);
            if (File.Exists(candidate)) return candidate;
        }
        throw new DataFileException($"feature classifier weights {file} not found (looked in {System.IO.Path.GetDirectoryName(beside)} and models/ above the working folder); " +
            "reproduce them with `gensharp eval train-classifier`");
    }

    public static FeatureExtractor Load(string? path = null, Device? device = null)
    {
        path ??= DefaultPath();
        device ??= CPU;
        var model = new FeatureClassifier(new FeatureClassifierConfig());
        var tensors = Safetensors.Load(path);
        using (tensors)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            foreach (var (key, live) in model.state_dict())
            {
                if (!tensors.Tensors.TryGetValue(key, out var saved) || !saved.shape.SequenceEqual(live.shape))
                    throw new CheckpointException($"{path}: '{key}' missing or of the wrong shape; not {FeatureClassifierConfig.Version} weights");
                live.copy_(saved);
            }
        }
        model.to(device);
        model.eval();
        return new FeatureExtractor(model, device, path, tensors.Metadata);
    }

    /// <summary>Features (N, D) and logits (N, C) in float32 on the CPU, computed in batches.</summary>
    public (Tensor Features, Tensor Logits) Extract(Tensor images, int batch = 500)
    {
        if (images.dim() != 4 || images.shape[1] != 1 || images.shape[2] != 28 || images.shape[3] != 28)
            throw new ConfigException($"the {Version} feature network takes (N, 1, 28, 28) images; got [{string.Join(", ", images.shape)}]");
        using var noGrad = no_grad();
        var features = new List<Tensor>();
        var logits = new List<Tensor>();
        using var scope = NewDisposeScope();
        for (long s = 0; s < images.shape[0]; s += batch)
        {
            var x = images.narrow(0, s, Math.Min(batch, images.shape[0] - s)).to(_device);
            var f = _model.Features(x);
            features.Add(f.cpu());
            logits.Add(_model.LogitsFromFeatures(f).cpu());
        }
        return (cat(features, 0).MoveToOuterDisposeScope(), cat(logits, 0).MoveToOuterDisposeScope());
    }

    public void Dispose() => _model.Dispose();
}
