using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Pipelines;

/// <summary>A family's training objective on one batch of its data; it owns what the loss needs (schedules, noise tables, a bf16 copy).</summary>
public interface IImageLoss : IDisposable
{
    /// <summary>The scalar loss of a batch <paramref name="x"/> (N, C, H, W) in the family's range, all noise from <paramref name="rng"/>.</summary>
    Tensor Loss(Tensor x, Generator rng);

    /// <summary>The low-precision working copy the loss runs on (null: the loss runs on the model itself).</summary>
    MixedPrecision? MixedPrecision { get; }
}
