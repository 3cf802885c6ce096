using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Pipelines;

/// <summary>A family's training objective on one batch of its data; it owns what the loss needs (schedules, noise tables, a bf16 copy).</summary>
public interface IImageLoss : IDisposable
{
    /// <summary>The scalar loss of a batch <paramref name="x"/> (N, C, H, W) in the family's range, all noise from <paramref name="rng"/>.</summary>
    Tensor Loss(Tensor x, Generator rng);

    /// <summary>
    /// The loss of a batch with its labels (B) int64 (null when the data have none); a family that does not condition on labels
    /// ignores them (the pipeline passes them to every family).
    /// </summary>
    Tensor Loss(Tensor x, Tensor? labels, Generator rng) => Loss(x, rng);

    /// <summary>The low-precision working copy the loss runs on (null: the loss runs on the model itself).</summary>
    MixedPrecision? MixedPrecision { get; }
}
