using GenSharp.Data.Captcha;
using static TorchSharp.torch;

namespace GenSharp.Data;

/// <summary>
/// The two parts of an image run's <c>--data</c>: the images it trains on and the images held out for evaluation and the floor.
/// Fashion-MNIST: its train and test splits. <c>captcha</c>: rendered training strings and rendered test strings.
/// <c>png:DIR</c>: the folder minus and the folder's <see cref="HeldOutSplit"/>
/// declared in config.json (a run created before held-out splits trains on, and is scored against, the whole folder).
/// </summary>
public static class RunImages
{
    /// <summary>The split a new run on <paramref name="data"/> declares: a random fraction of a PNG folder, none for Fashion-MNIST.</summary>
    public static HeldOutSplit? DeclareHeldOut(string data, long seed)
    {
        if (DataSpec.Parse(data) is not DataSpec.PngImages p) return null;
        using var all = PngFolder.Load(p.Directory);
        return HeldOutSplit.For(all.Count, seed);
    }

    /// <summary>The training images; <paramref name="limit"/> &gt; 0 keeps the first N.</summary>
    public static ImageDataset Train(string data, HeldOutSplit? heldOut, PixelRange range = PixelRange.MinusOneToOne, int limit = 0,
        Device? device = null)
    {
        switch (DataSpec.Parse(data))
        {
            case DataSpec.FashionMnistFiles f:
                return FashionMnist.Load(FashionMnistSplit.Train, f.Directory, range, limit > 0 ? limit : null, device);
            case DataSpec.PngImages p:
                var train = Folder(p.Directory, data, heldOut, range, device, held: false);
                if (limit <= 0 || limit >= train.Count) return train;
                using (train)
                    return new ImageDataset(train.Name, train.Images.narrow(0, 0, limit).clone(), train.Labels?.narrow(0, 0, limit).clone(),
                        train.ClassNames, train.Range, train.ContentHash);
            case DataSpec.Captcha c:
                return Rendered(c.Options, CaptchaSplit.Train, limit > 0 ? Math.Min(limit, c.Options.Train) : c.Options.Train, range, device);
            default:
                throw NotImages(data);
        }
    }

    /// <summary>The held-out images the samples are compared with: the Fashion-MNIST test split, or the PNG folder's held-out part.</summary>
    public static ImageDataset HeldOut(string data, HeldOutSplit? heldOut, PixelRange range = PixelRange.MinusOneToOne, Device? device = null) =>
        DataSpec.Parse(data) switch
        {
            DataSpec.FashionMnistFiles f => FashionMnist.Load(FashionMnistSplit.Test, f.Directory, range, device: device),
            DataSpec.PngImages p => Folder(p.Directory, data, heldOut, range, device, held: true),
            DataSpec.Captcha c => Rendered(c.Options, CaptchaSplit.Test, c.Options.HeldOut, range, device),
            _ => throw NotImages(data),
        };

    /// <summary>CAPTCHAs of the training strings (seed S) or of the test strings (seed S + 1): docs/captcha.md#unseen-strings.</summary>
    private static ImageDataset Rendered(CaptchaOptions options, CaptchaSplit split, int n, PixelRange range, Device? device)
    {
        if (n < 1) throw new ConfigException($"--data {options.Canonical}: heldout must be at least 1 to score an image run");
        using var set = CaptchaSet.Render(options, split, n, options.Seed + (split == CaptchaSplit.Test ? 1 : 0), range);
        var images = device is null ? set.Images.clone() : set.Images.to(device);
        return new ImageDataset(options.Canonical, images, null, [], range, set.ContentHash, set.Texts);
    }

    private static ImageDataset Folder(string directory, string data, HeldOutSplit? heldOut, PixelRange range, Device? device, bool held)
    {
        var all = PngFolder.Load(directory, range: range, device: device);
        if (heldOut is null) return all;
        using (all)
        {
            var (train, heldOutImages) = heldOut.Apply(all, data);
            (held ? train : heldOutImages).Dispose();
            return held ? heldOutImages : train;
        }
    }

    private static ConfigException NotImages(string data) =>
        new($"--data {data}: image models need images; " +
            "use fashion-mnist, fashion-mnist:DIR, captcha[:OPTIONS], png:DIR or a folder holding the Fashion-MNIST IDX files");
}
