using GenSharp.Data;
using GenSharp.Output;
using static TorchSharp.torch;

namespace GenSharp.Pipelines;

/// <summary>What <c>gensharp sample</c> writes for every image family: a folder of PNGs and a grid of the first 100 beside it.</summary>
public static class SampleFolder
{
    /// <summary>Writes (N, C, H, W) images in [-1, 1] to <paramref name="folder"/> and <c>folder.png</c>; returns both paths.</summary>
    public static IReadOnlyList<string> Write(Tensor samples, string folder)
    {
        PngFolder.Write(samples, folder);
        string grid = folder.TrimEnd('/') + ".png";
        using (var first = samples.narrow(0, 0, Math.Min(samples.shape[0], 100))) ImageGrid.Save(first, grid, columns: 10, scale: 2);
        return [folder, grid];
    }
}
