using static TorchSharp.torch;

namespace GenSharp.Score.Images;

/// <summary>
/// An NCSN's data space: pixels in [0, 1], as NCSNv2 trains (its sigma_L = 0.01 is meant for that range; the training
/// images are loaded in it by <see cref="Data.RunImages"/>).
/// Everything that leaves the model (sample grids, PNG folders, the feature network of the evaluation)
/// gets GenSharp's image range [-1, 1] through <see cref="ToImageRange"/>, so FD, KID, precision and recall
/// are computed exactly as for the image DDPM.
/// </summary>
public static class ImageNcsnData
{
    /// <summary>[0, 1] to [-1, 1], clamped (the last Langevin steps may leave the pixel range slightly).</summary>
    public static Tensor ToImageRange(Tensor x)
    {
        using var scope = NewDisposeScope();
        return (x.clamp(0, 1) * 2 - 1).MoveToOuterDisposeScope();
    }
}
