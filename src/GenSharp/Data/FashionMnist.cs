using System.Security.Cryptography;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Data;

/// <summary>
/// Fashion-MNIST (28x28 grey, 10 classes) from the IDX files of Debian's <c>dataset-fashion-mnist</c>
/// package (<see cref="DefaultDirectory"/>) or any folder holding the same four files.
/// </summary>
public static class FashionMnist
{
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    public static readonly IReadOnlyList<string> ClassNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    private static (string Images, string Labels) Files(FashionMnistSplit split) => split == FashionMnistSplit.Train
        ? ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
        : ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");

    /// <summary>The four IDX files a Fashion-MNIST folder holds.</summary>
    public static IReadOnlyList<string> FileNames { get; } =
        ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"];

    /// <summary>True if all four files are present.</summary>
    public static bool IsAvailable(string? directory = null)
    {
        string dir = directory ?? DefaultDirectory;
        return FileNames.All(f => File.Exists(Path.Combine(dir, f)));
    }

    /// <summary>Loads a split, scaled to <paramref name="range"/>; <paramref name="limit"/> keeps the first N.</summary>
    public static ImageDataset Load(FashionMnistSplit split, string? directory = null, PixelRange range = PixelRange.MinusOneToOne,
        int? limit = null, Device? device = null)
    {
        string dir = directory ?? DefaultDirectory;
        var (imagesFile, labelsFile) = Files(split);
        foreach (string f in new[] { imagesFile, labelsFile })
            if (!File.Exists(Path.Combine(dir, f)))
                throw new DataFileException(
                    $"Fashion-MNIST not found in {dir} (missing {f}); install it with `apt-get install -y dataset-fashion-mnist` or point " +
                    $"--data at the folder that holds the IDX files (--data DIR or fashion-mnist:DIR)");
        string imagesPath = Path.Combine(dir, imagesFile), labelsPath = Path.Combine(dir, labelsFile);
        var images = IdxReader.Read(imagesPath);
        var labels = IdxReader.Read(labelsPath);
        if (images.Type != IdxElementType.UInt8 || images.Dimensions.Length != 3 || images.Dimensions[1] != 28 || images.Dimensions[2] != 28)
            throw new DataFileException($"{imagesPath}: expected (N, 28, 28) uint8 images, found [{string.Join(", ", images.Dimensions)}] " +
                $"{images.Type}");
        if (labels.Type != IdxElementType.UInt8 || labels.Dimensions.Length != 1)
            throw new DataFileException($"{labelsPath}: expected (N) uint8 labels, found [{string.Join(", ", labels.Dimensions)}] {labels.Type}");
        if (labels.Dimensions[0] != images.Dimensions[0])
            throw new DataFileException($"{labelsPath}: {labels.Dimensions[0]} labels for {images.Dimensions[0]} images in {imagesFile}");
        int bad = Array.FindIndex(labels.Data, v => v >= ClassNames.Count);
        if (bad >= 0) throw new DataFileException($"{labelsPath}: label {labels.Data[bad]} at index {bad} is not a class 0..9");

        int n = Math.Min(images.Dimensions[0], limit ?? int.MaxValue);
        using var scope = NewDisposeScope();
        var pixels = tensor(images.Data.AsSpan(0, n * 784).ToArray(), dtype: ScalarType.Byte).reshape(n, 1, 28, 28)
            .to_type(ScalarType.Float32) / 255f;
        if (range == PixelRange.MinusOneToOne) pixels = pixels * 2 - 1;
        var y = tensor(labels.Data.AsSpan(0, n).ToArray(), dtype: ScalarType.Byte).to_type(ScalarType.Int64);
        if (device is not null) { pixels = pixels.to(device); y = y.to(device); }
        string hash = Convert.ToHexStringLower(SHA256.HashData(images.Data.Concat(labels.Data).ToArray()));
        return new ImageDataset($"fashion-mnist-{split.ToString().ToLowerInvariant()}",
            pixels.MoveToOuterDisposeScope(), y.MoveToOuterDisposeScope(),
            ClassNames, range, hash);
    }
}
