using static TorchSharp.torch;

namespace GenSharp.Output;

/// <summary>One PNG per image (000000.png, 000001.png, ...) in a folder, the form <c>gensharp eval fd</c> and
/// <see cref="Data.PngFolder"/> read.</summary>
public static class ImageFiles
{
    /// <summary>Writes (N, C, H, W) images in [-1, 1] (or [0, 1] with <paramref name="zeroToOne"/>); returns the folder.</summary>
    public static string WriteFolder(Tensor images, string folder, bool zeroToOne = false)
    {
        Directory.CreateDirectory(folder);
        for (long i = 0; i < images.shape[0]; i++)
        {
            using var one = images.narrow(0, i, 1);
            Training.AtomicFile.WriteAllBytes(Path.Combine(folder, $"{i:D6}.png"),
                ImageGrid.EncodePng(one, columns: 1, padding: 0, zeroToOne: zeroToOne));
        }
        return folder;
    }
}
