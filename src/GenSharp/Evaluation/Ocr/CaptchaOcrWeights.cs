using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Evaluation.Ocr;

/// <summary>
/// The committed CAPTCHA OCR (<c>models/captcha-ocr-v1.safetensors</c>), loaded only if its SHA-256 is <see cref="CaptchaOcrConfig.Sha256"/>.
/// </summary>
public static class CaptchaOcrWeights
{
    /// <summary>
    /// The OCR in eval mode on <paramref name="device"/>, from <paramref name="path"/> (default: beside the program, then models/ above the
    /// working folder), with the file's metadata (the recipe and the recorded test accuracy). Another file is a one-line error.
    /// </summary>
    public static (CaptchaOcr Model, IReadOnlyDictionary<string, string> Metadata, string Path) Load(string? path = null, Device? device = null)
    {
        path ??= FeatureExtractor.DefaultPath(CaptchaOcrConfig.FileName);
        var model = new CaptchaOcr(new CaptchaOcrConfig());
        var metadata = FeatureExtractor.LoadChecked(model, path, CaptchaOcrConfig.Version, CaptchaOcrConfig.Sha256, CaptchaOcrConfig.FileName);
        model.to(device ?? CPU);
        model.eval();
        return (model, metadata, path);
    }
}
