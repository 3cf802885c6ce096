using GenSharp.Data;
using static TorchSharp.torch;

namespace GenSharp.Diffusion.Images;

/// <summary>
/// Resolves an image DDPM's <c>--data</c> (parsed by <see cref="DataSpec"/>) into datasets in [-1, 1]:
/// <c>fashion-mnist</c> (Debian's IDX files), <c>fashion-mnist:DIR</c> or a plain folder of the IDX files, or
/// <c>png:DIR</c> (a folder of equally sized PNG images; its "held-out" set for evaluation is the folder itself).
/// </summary>
public static class ImageDdpmData
{
    public static bool IsFashionMnist(string data) => data == "fashion-mnist" || data.StartsWith("fashion-mnist:", StringComparison.Ordinal);

    /// <summary>The training images.</summary>
    public static ImageDataset Train(string data, Device? device = null) => Load(data, FashionMnistSplit.Train, device);

    /// <summary>The images generated samples are compared with: the Fashion-MNIST test set, or the PNG folder.</summary>
    public static ImageDataset Reference(string data, Device? device = null) => Load(data, FashionMnistSplit.Test, device);

    private static ImageDataset Load(string data, FashionMnistSplit split, Device? device) => DataSpec.Parse(data) switch
    {
        DataSpec.FashionMnistFiles f => FashionMnist.Load(split, f.Directory, device: device),
        DataSpec.PngImages p => PngFolder.Load(p.Directory, device: device),
        _ => throw new ConfigException($"--data {data}: image models need images; use fashion-mnist, fashion-mnist:DIR, png:DIR or a folder holding the Fashion-MNIST IDX files"),
    };
}
