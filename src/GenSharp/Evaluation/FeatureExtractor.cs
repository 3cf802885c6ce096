using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Evaluation;

/// <summary>
/// The committed Fashion-MNIST feature classifier, loaded for evaluation: features (penultimate layer)
/// and logits for batches of (N, 1, 28, 28) images in [-1, 1]. Every metric it produces names
/// <see cref="Version"/>, and only the committed file (checked by its SHA-256) may carry that name.
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
    /// <summary>Always <see cref="FeatureClassifierConfig.Version"/>: <see cref="Load"/> refuses any other file.</summary>
    public string Version => FeatureClassifierConfig.Version;

    /// <summary>
    /// Where the committed weights are looked for: next to the program (the build copies <c>models/*.safetensors</c>
    /// there), then in models/ of the working tree. Either copy must be the committed file (<see cref="Load"/> checks).
    /// </summary>
    public static string DefaultPath()
    {
        string file = FeatureClassifierConfig.FileName;
        string beside = System.IO.Path.Combine(AppContext.BaseDirectory, "models", file);
        if (File.Exists(beside)) return beside;
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            string candidate = System.IO.Path.Combine(dir.FullName, "models", file);
            if (File.Exists(candidate)) return candidate;
        }
        throw new DataFileException($"feature classifier weights {file} not found (looked in {System.IO.Path.GetDirectoryName(beside)} and models/ " +
            $"above the working folder); restore the committed file with `git checkout -- models/{file}` (then rebuild, which copies it " +
            $"beside the program)");
    }

    /// <summary>
    /// The committed feature network for an image run on <paramref name="data"/> with images of <paramref name="imageShape"/> (C, H, W),
    /// or null with a one-line notice on <paramref name="log"/> when it cannot score them (not 28x28 grey, or the weights are missing).
    /// </summary>
    public static FeatureExtractor? TryLoadFor(string data, int[] imageShape, TextWriter log)
    {
        if (imageShape is not [1, 28, 28])
        {
            log.WriteLine($"note: Fréchet distance needs 28x28 grey images (the {FeatureClassifierConfig.Version} feature network); " +
                          $"{data} is {string.Join("x", imageShape)}, so FD is skipped");
            return null;
        }
        try
        {
            return Load();
        }
        catch (DataFileException e)
        {
            log.WriteLine($"note: {e.Message}; FD is skipped");
            return null;
        }
    }

    /// <summary>
    /// Loads the feature network from <paramref name="path"/> (default: <see cref="DefaultPath"/>) and checks that the file
    /// is the committed one, byte for byte (<see cref="FeatureClassifierConfig.Sha256"/>).
    /// </summary>
    /// <remarks>
    /// A file with another hash is refused (one-line <see cref="DataFileException"/>; training runs then skip their image
    /// metrics with a note, <c>eval fd</c> and <c>eval real</c> exit 2) rather than relabelled, e.g. as
    /// "fmnist-features-v1-modified": FD, KID and precision/recall are only comparable within one feature space, and a
    /// number tagged with a near-miss label invites exactly the comparison it must not be used for. A retrained network,
    /// even by the same command (libtorch's CPU kernels need not be bitwise reproducible across machines or thread counts),
    /// is a new version: give it a new name and checksum in <see cref="FeatureClassifierConfig"/>. No test needs to load
    /// another file (the tests use the committed weights), so refusing costs nothing.
    /// </remarks>
    public static FeatureExtractor Load(string? path = null, Device? device = null)
    {
        path ??= DefaultPath();
        device ??= CPU;
        var model = new FeatureClassifier(new FeatureClassifierConfig());
        var tensors = Safetensors.Load(path);
        try
        {
            using (tensors)
            {
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                foreach (var (key, live) in model.state_dict())
                {
                    if (!tensors.Tensors.TryGetValue(key, out var saved) || !saved.shape.SequenceEqual(live.shape))
                        throw new CheckpointException($"{path}: '{key}' missing or of the wrong shape; not {FeatureClassifierConfig.Version} " +
                            $"weights");
                    live.copy_(saved);
                }
            }
            string sha256 = Sha256Of(path);
            if (sha256 != FeatureClassifierConfig.Sha256)
                throw new DataFileException($"{path}: sha256 {sha256[..16]}... differs from the committed {FeatureClassifierConfig.Version} " +
                    $"weights' {FeatureClassifierConfig.Sha256[..16]}... (models/{FeatureClassifierConfig.FileName}.sha256), so metrics would be " +
                    $"mislabelled; restore the file with `git checkout -- models/{FeatureClassifierConfig.FileName}` and rebuild");
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.to(device);
        model.eval();
        return new FeatureExtractor(model, device, path, tensors.Metadata);
    }

    /// <summary>
    /// Features (N, D) and logits (N, C) in float32 on the CPU, computed in batches (each one reported to <paramref name="progress"/>).
    /// </summary>
    public (Tensor Features, Tensor Logits) Extract(Tensor images, int batch = 500, ScoringProgress? progress = null)
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
            progress?.Advance(x.shape[0]);
        }
        return (cat(features, 0).MoveToOuterDisposeScope(), cat(logits, 0).MoveToOuterDisposeScope());
    }

    /// <summary>Lower-case hex SHA-256 of a file, as sha256sum prints it.</summary>
    public static string Sha256Of(string path)
    {
        Files.InputFile.RequireCheckpoint(path);
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
    }

    public void Dispose() => _model.Dispose();
}
