namespace GenSharp.Evaluation;

/// <summary>
/// The Fashion-MNIST feature network (docs/evaluation.md#feature-network: Inception weights cannot be fetched here, so GenSharp
/// trains its own). Three conv blocks (BatchNorm, ReLU, max-pool after the first two) and a
/// <see cref="FeatureDim"/>-wide penultimate layer whose activations are the features.
/// </summary>
public sealed record FeatureClassifierConfig(int InChannels = 1, int Width = 32, int FeatureDim = 128, int Classes = 10, double Dropout = 0.3)
{
    /// <summary>The versioned name every reported metric carries.</summary>
    public const string Version = "fmnist-features-v1";

    /// <summary>
    /// SHA-256 of the committed <c>models/fmnist-features-v1.safetensors</c> (also recorded, in sha256sum format, in
    /// <c>models/fmnist-features-v1.safetensors.sha256</c>; a test keeps the three equal). Only a file with this hash is
    /// <see cref="Version"/>: see <see cref="FeatureExtractor.Load"/>.
    /// </summary>
    public const string Sha256 = "f8668a16f3dfe396172033ede60f333169b2e537ef4a32b2961edaf373ab3108";

    /// <summary>The committed weights' file name (under <c>models/</c>).</summary>
    public const string FileName = Version + ".safetensors";
}
