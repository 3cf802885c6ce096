namespace GenSharp.Evaluation;

/// <summary>
/// The Fashion-MNIST feature network (SPEC §7: Inception weights cannot be fetched here, so GenSharp
/// trains its own). Three conv blocks (BatchNorm, ReLU, max-pool after the first two) and a
/// <see cref="FeatureDim"/>-wide penultimate layer whose activations are the features.
/// </summary>
public sealed record FeatureClassifierConfig(int InChannels = 1, int Width = 32, int FeatureDim = 128, int Classes = 10, double Dropout = 0.3)
{
    /// <summary>The versioned name every reported metric carries.</summary>
    public const string Version = "fmnist-features-v1";
}
