using GenSharp.Data;
using GenSharp.Data.Captcha;
using GenSharp.Evaluation.Ocr;
using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Evaluation;

/// <summary>
/// A committed feature network, loaded for evaluation: features (penultimate layer) and logits for batches of images in
/// [-1, 1]. The Fashion-MNIST classifier (<see cref="FeatureClassifierConfig.Version"/>, (N, 1, 28, 28)) scores every image run
/// but CAPTCHA runs, which the CAPTCHA OCR (<see cref="CaptchaOcrConfig.Version"/>, (N, 1, 32, 96); docs/captcha.md#fd) scores.
/// Every metric names <see cref="Version"/>, and only the committed file (checked by its SHA-256) may carry that name.
/// </summary>
public sealed class FeatureExtractor : IDisposable
{
    private readonly nn.Module _model;
    private readonly Func<Tensor, Tensor> _features, _logits;
    private readonly long[] _shape;
    private readonly Device _device;

    private FeatureExtractor(nn.Module model, Func<Tensor, Tensor> features, Func<Tensor, Tensor> logits, long[] shape, string version,
        Device device, string path, IReadOnlyDictionary<string, string> metadata)
    {
        (_model, _features, _logits, _shape, Version) = (model, features, logits, shape, version);
        _device = device;
        Path = path;
        Metadata = metadata;
    }

    public string Path { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary><see cref="FeatureClassifierConfig.Version"/> or <see cref="CaptchaOcrConfig.Version"/>: the loaders refuse any other
    /// file.</summary>
    public string Version { get; }

    /// <summary>
    /// Where the committed weights are looked for: next to the program (the build copies <c>models/*.safetensors</c>
    /// there), then in models/ of the working tree. Either copy must be the committed file (<see cref="Load"/> checks).
    /// </summary>
    public static string DefaultPath(string file = FeatureClassifierConfig.FileName)
    {
        string beside = System.IO.Path.Combine(AppContext.BaseDirectory, "models", file);
        if (File.Exists(beside)) return beside;
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            string candidate = System.IO.Path.Combine(dir.FullName, "models", file);
            if (File.Exists(candidate)) return candidate;
        }
        throw new DataFileException($"feature network weights {file} not found (looked in {System.IO.Path.GetDirectoryName(beside)} and models/ " +
            $"above the working folder); restore the committed file with `git checkout -- models/{file}` (then rebuild, which copies it " +
            $"beside the program)");
    }

    /// <summary>
    /// The committed feature network for an image run on <paramref name="data"/> with images of <paramref name="imageShape"/> (C, H, W),
    /// or null with a one-line notice on <paramref name="log"/> when it cannot score them (not 28x28 grey, or the weights are missing).
    /// </summary>
    public static FeatureExtractor? TryLoadFor(string data, int[] imageShape, TextWriter log)
    {
        if (DataSpec.Parse(data) is DataSpec.Captcha c)
        {
            var d = new CaptchaOptions();
            if (c.Options.Alphabet != d.Alphabet || c.Options.Length != d.Length)
            {
                log.WriteLine($"note: the {CaptchaOcrConfig.Version} feature network reads {d.Length} characters of the default alphabet; " +
                              $"{data} differs, so FD is skipped");
                return null;
            }
            try
            {
                return LoadCaptchaOcr();
            }
            catch (DataFileException e)
            {
                log.WriteLine($"note: {e.Message}; FD is skipped");
                return null;
            }
        }
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
        var model = new FeatureClassifier(new FeatureClassifierConfig());
        var metadata = LoadChecked(model, path, FeatureClassifierConfig.Version, FeatureClassifierConfig.Sha256, FeatureClassifierConfig.FileName);
        device ??= CPU;
        model.to(device);
        model.eval();
        return new FeatureExtractor(model, model.Features, model.LogitsFromFeatures, [1, 28, 28], FeatureClassifierConfig.Version, device, path,
            metadata);
    }

    /// <summary>
    /// The CAPTCHA OCR as a feature network (docs/captcha.md#fd), checked like <see cref="Load"/> against <see cref="CaptchaOcrConfig.Sha256"/>.
    /// Its logits, for the classifier score, are those of the first character position (N, 32).
    /// </summary>
    public static FeatureExtractor LoadCaptchaOcr(string? path = null, Device? device = null)
    {
        device ??= CPU;
        var (model, metadata, file) = CaptchaOcrWeights.Load(path, device);
        long[] shape = [1, CaptchaOptions.Height, CaptchaOptions.Width];
        return new FeatureExtractor(model, model.Features, f => model.LogitsFromFeatures(f).select(1, 0), shape, CaptchaOcrConfig.Version,
            device, file, metadata);
    }

    /// <summary>
    /// Copies the weights at <paramref name="path"/> into <paramref name="model"/> and checks the file's SHA-256 (disposing the model on error).
    /// </summary>
    internal static IReadOnlyDictionary<string, string> LoadChecked(nn.Module model, string path, string version, string expectedSha256,
        string fileName)
    {
        try
        {
            var tensors = Safetensors.Load(path);
            using (tensors)
            {
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                foreach (var (key, live) in model.state_dict())
                {
                    if (!tensors.Tensors.TryGetValue(key, out var saved) || !saved.shape.SequenceEqual(live.shape))
                        throw new CheckpointException($"{path}: '{key}' missing or of the wrong shape; not {version} weights");
                    live.copy_(saved);
                }
            }
            string sha256 = Sha256Of(path);
            if (sha256 != expectedSha256)
                throw new DataFileException($"{path}: sha256 {sha256[..16]}... differs from the committed {version} " +
                    $"weights' {expectedSha256[..Math.Min(16, expectedSha256.Length)]}... (models/{fileName}.sha256), so metrics would be " +
                    $"mislabelled; restore the file with `git checkout -- models/{fileName}` and rebuild");
            return tensors.Metadata;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Features (N, D) and logits (N, C) in float32 on the CPU, computed in batches (each one reported to <paramref name="progress"/>).
    /// </summary>
    public (Tensor Features, Tensor Logits) Extract(Tensor images, int batch = 500, ScoringProgress? progress = null)
    {
        if (images.dim() != 4 || !images.shape[1..].SequenceEqual(_shape))
            throw new ConfigException(
                $"the {Version} feature network takes (N, {string.Join(", ", _shape)}) images; got [{string.Join(", ", images.shape)}]");
        using var noGrad = no_grad();
        var features = new List<Tensor>();
        var logits = new List<Tensor>();
        using var scope = NewDisposeScope();
        for (long s = 0; s < images.shape[0]; s += batch)
        {
            var x = images.narrow(0, s, Math.Min(batch, images.shape[0] - s)).to(_device);
            var f = _features(x);
            features.Add(f.cpu());
            logits.Add(_logits(f).cpu());
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
