using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenSharp.Evaluation;

/// <summary>
/// A small CNN classifier for 28x28 images whose penultimate layer gives the features for Fréchet
/// distance, KID and precision/recall, and whose softmax gives the classifier score.
/// (B, 1, 28, 28) -> conv blocks -> (B, FeatureDim) features -> (B, Classes) logits.
/// </summary>
public sealed class FeatureClassifier : nn.Module<Tensor, Tensor>
{
    private readonly Sequential features;
    private readonly Linear fc;
    private readonly BatchNorm1d bn;
    private readonly Dropout drop;
    private readonly Linear head;

    public FeatureClassifier(FeatureClassifierConfig config) : base(nameof(FeatureClassifier))
    {
        Config = config;
        int w = config.Width;
        features = nn.Sequential(
            nn.Conv2d(config.InChannels, w, 3, padding: 1), nn.BatchNorm2d(w), nn.ReLU(),
            nn.Conv2d(w, w, 3, padding: 1), nn.BatchNorm2d(w), nn.ReLU(), nn.MaxPool2d(2),          // (B, w, 14, 14)
            nn.Conv2d(w, 2 * w, 3, padding: 1), nn.BatchNorm2d(2 * w), nn.ReLU(), nn.MaxPool2d(2),  // (B, 2w, 7, 7)
            nn.Conv2d(2 * w, 4 * w, 3, padding: 1), nn.BatchNorm2d(4 * w), nn.ReLU(),               // (B, 4w, 7, 7)
            nn.AdaptiveAvgPool2d(1), nn.Flatten());                                                // (B, 4w)
        fc = nn.Linear(4 * w, config.FeatureDim);
        bn = nn.BatchNorm1d(config.FeatureDim);
        drop = nn.Dropout(config.Dropout);
        head = nn.Linear(config.FeatureDim, config.Classes);
        RegisterComponents();
    }

    public FeatureClassifierConfig Config { get; }

    /// <summary>Penultimate-layer features (B, FeatureDim): ReLU(BN(Linear(pooled conv features))).</summary>
    public Tensor Features(Tensor x)
    {
        using var scope = NewDisposeScope();
        return nn.functional.relu(bn.call(fc.call(features.call(x)))).MoveToOuterDisposeScope();
    }

    /// <summary>Class logits (B, Classes).</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return head.call(drop.call(Features(x))).MoveToOuterDisposeScope();
    }

    /// <summary>Logits from features (so one pass serves both).</summary>
    public Tensor LogitsFromFeatures(Tensor f) => head.call(f);

    protected override void Dispose(bool disposing)
    {
        if (disposing) { features.Dispose(); fc.Dispose(); bn.Dispose(); drop.Dispose(); head.Dispose(); }
        base.Dispose(disposing);
    }
}
