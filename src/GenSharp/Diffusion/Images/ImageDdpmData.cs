using GenSharp.Data;
using static TorchSharp.torch;

namespace GenSharp.Diffusion.Images;

/// <summary>
/// Resolves an image DDPM's <c>--data</c> into datasets in [-1, 1]: <c>fashion-mnist</c> (Debian's IDX
/// files), <c>fashion-mnist:DIR</c>, or <c>png:DIR</c> (a folder of equally sized PNG images; its
/// "held-out" set for evaluation is the folder itself).
/// </summary>
public static class ImageDdpmData
{
    public static bool IsFashionMnist(string data) => data == "fashion-mnist" || data.StartsWith("fashion-mnist:", StringComparison.Ordinal);

    /// <summary>The training images.</summary>
    public static ImageDataset Train(string data, Device? device = null) => Load(data, FashionMnistSplit.Train, device);

    /// <summary>The images generated samples are compared with: the Fashion-MNIST test set, or the PNG folder.</summary>
    public static ImageDataset Reference(string data, Device? device = null) => Load(data, FashionMnistSplit.Test, device);

    private static ImageDataset Load(string data, FashionMnistSplit split, Device? device)
    {
        if (IsFashionMnist(data))
        {
            string? dir = data.Length > "fashion-mnist".Length ? data["fashion-mnist:".Length..] : null;
            return FashionMnist.Load(split, dir, device: device);
        }
        if (data.StartsWith("png:", StringComparison.Ordinal)) return PngFolder.Load(data["png:".Length..], device: device);
        throw new ConfigException($"--data {data}: use fashion-mnist, fashion-mnist:DIR or png:DIR");
    }
}
