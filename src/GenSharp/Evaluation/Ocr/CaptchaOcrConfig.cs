using GenSharp.Data.Captcha;

namespace GenSharp.Evaluation.Ocr;

/// <summary>
/// The CAPTCHA OCR (docs/captcha.md#ocr): a small CNN over 32x96 grey images with one softmax head per character position,
/// whose <see cref="FeatureDim"/>-wide penultimate layer is the feature space of FD on CAPTCHAs.
/// </summary>
public sealed record CaptchaOcrConfig(string Alphabet = CaptchaOptions.DefaultAlphabet, int Length = 4, int Width = 16, int FeatureDim = 256,
    double Dropout = 0.3)
{
    /// <summary>The versioned name every CAPTCHA metric carries.</summary>
    public const string Version = "captcha-ocr-v1";

    /// <summary>
    /// SHA-256 of the committed <c>models/captcha-ocr-v1.safetensors</c> (also in <c>models/captcha-ocr-v1.safetensors.sha256</c>);
    /// only a file with this hash is loaded (<see cref="FeatureExtractor.Load"/>).
    /// </summary>
    public const string Sha256 = "956b293270c7df69d79e2409ba1e0265d1ed028f2e023aaa8b88b76235d7ce63";

    /// <summary>The committed weights' file name (under <c>models/</c>).</summary>
    public const string FileName = Version + ".safetensors";

    /// <summary>Output logits: one block of <c>Alphabet.Length</c> per position.</summary>
    public int Outputs => Length * Alphabet.Length;
}
