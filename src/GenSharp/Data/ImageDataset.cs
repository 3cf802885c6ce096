using static TorchSharp.torch;

namespace GenSharp.Data;

/// <summary>
/// Images (N, C, H, W) float32 scaled to <see cref="Range"/>, optional int64 labels, class names and a
/// content hash of the source files (recorded in run configs), and the string each image shows when the data are rendered text
/// (CAPTCHAs; null otherwise). Owns its tensors.
/// </summary>
public sealed class ImageDataset : IDisposable
{
    public ImageDataset(string name, Tensor images, Tensor? labels, IReadOnlyList<string> classNames, PixelRange range, string contentHash,
        IReadOnlyList<string>? texts = null)
    {
        if (texts is not null && texts.Count != images.shape[0]) throw new ArgumentException("one text per image");
        Texts = texts;
        if (images.dim() != 4) throw new ArgumentException("images must be (N, C, H, W)");
        Name = name;
        Images = images;
        Labels = labels;
        ClassNames = classNames;
        Range = range;
        ContentHash = contentHash;
    }

    public string Name { get; }
    public Tensor Images { get; }
    public Tensor? Labels { get; }
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The string each image shows (rendered CAPTCHAs), or null.</summary>
    public IReadOnlyList<string>? Texts { get; }
    public PixelRange Range { get; }
    public string ContentHash { get; }
    public int Count => (int)Images.shape[0];
    public int Channels => (int)Images.shape[1];
    public int Height => (int)Images.shape[2];
    public int Width => (int)Images.shape[3];

    /// <summary>The images at <paramref name="indices"/> (a new tensor).</summary>
    public Tensor Batch(Tensor indices) => Images.index_select(0, indices);

    public void Dispose()
    {
        Images.Dispose();
        Labels?.Dispose();
    }
}
