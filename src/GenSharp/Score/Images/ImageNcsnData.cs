using GenSharp.Data;
using GenSharp.Diffusion.Images;
using static TorchSharp.torch;

namespace GenSharp.Score.Images;

/// <summary>
/// An NCSN's data space: pixels in [0, 1], as NCSNv2 trains (its sigma_L = 0.01 is meant for that range).
/// Everything that leaves the model (sample grids, PNG folders, the feature network of the evaluation)
/// gets GenSharp's image range [-1, 1] through <see cref="ToImageRange"/>, so FD, KID, precision and recall
/// are computed exactly as for the image DDPM.
/// </summary>
public static class ImageNcsnData
{
    /// <summary>The training images in [0, 1]; <paramref name="limit"/> &gt; 0 keeps the first N.</summary>
    public static ImageDataset Train(string data, int limit = 0, Device? device = null)
    {
        var spec = DataSpec.Parse(data);
        if (spec is DataSpec.FashionMnistFiles f)
            return FashionMnist.Load(FashionMnistSplit.Train, f.Directory, PixelRange.ZeroToOne, limit > 0 ? limit : null, device);
        if (spec is DataSpec.PngImages p)
        {
            var all = PngFolder.Load(p.Directory, range: PixelRange.ZeroToOne, device: device);
            if (limit <= 0 || limit >= all.Count) return all;
            using (all)
                return new ImageDataset(all.Name, all.Images.narrow(0, 0, limit).clone(), all.Labels?.narrow(0, 0, limit).clone(),
                    all.ClassNames, all.Range, all.ContentHash);
        }
        throw new ConfigException($"--data {data}: train ncsn needs images; use fashion-mnist, fashion-mnist:DIR, png:DIR or a folder holding the Fashion-MNIST IDX files");
    }

    /// <summary>[0, 1] to [-1, 1], clamped (the last Langevin steps may leave the pixel range slightly).</summary>
    public static Tensor ToImageRange(Tensor x)
    {
        using var scope = NewDisposeScope();
        return (x.clamp(0, 1) * 2 - 1).MoveToOuterDisposeScope();
    }
}
