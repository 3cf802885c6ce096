using GenSharp.Data;
using static TorchSharp.torch;

namespace GenSharp.Diffusion.Images;

/// <summary>
/// The held-out images the image DDPM's and NCSN's figures show (noised, denoised): the Fashion-MNIST test set, or a PNG folder's
/// held-out part (see <see cref="RunImages"/>, which gives the figures, the evaluation and the floor the same images).
/// </summary>
public static class ImageDdpmData
{
    /// <summary>The held-out images in [-1, 1] (a PNG run created before held-out splits: the whole folder).</summary>
    public static ImageDataset Reference(string data, Device? device = null, HeldOutSplit? heldOut = null) =>
        RunImages.HeldOut(data, heldOut, device: device);
}
