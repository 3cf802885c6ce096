using System.Security.Cryptography;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Data;

/// <summary>
/// A folder of PNG images (searched recursively, ordinal order), or one PNG file. If the images sit in sub-folders,
/// each immediate sub-folder is a class (the ImageFolder convention). All images must share one size.
/// Channels: 1 if every image is grey (R = G = B), else 3 (alpha dropped), unless given.
/// </summary>
public static class PngFolder
{
    /// <summary>Largest PNG file read.</summary>
    public const long MaxFileBytes = 256L << 20;

    /// <summary>Largest decoded dataset (all images, bytes).</summary>
    public const long MaxDatasetBytes = 2_000_000_000;

    public static ImageDataset Load(string directory, int? channels = null, PixelRange range = PixelRange.MinusOneToOne, Device? device = null)
    {
        bool single = !Directory.Exists(directory) && File.Exists(directory);
        if (!single && !Directory.Exists(directory)) throw new DataFileException($"{directory}: folder not found; give a folder of .png images");
        if (channels is not null and not (1 or 3)) throw new ConfigException($"channels {channels}: must be 1 or 3");
        string[] files = single
            ? [directory]
            : Directory.GetFiles(directory, "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0) throw new DataFileException($"{directory}: no .png images found (searched sub-folders too)");

        string root = single ? Path.GetDirectoryName(Path.GetFullPath(directory))! : Path.GetFullPath(directory);
        var classOf = files.Select(f => Path.GetRelativePath(root, Path.GetFullPath(f)).Split(Path.DirectorySeparatorChar)).ToArray();
        bool labelled = !single && classOf.All(parts => parts.Length >= 2);
        var classNames = labelled ? classOf.Select(p => p[0]).Distinct().Order(StringComparer.Ordinal).ToList() : [];

        int width = 0, height = 0;
        var rgb = new List<byte[]>(files.Length);
        bool allGrey = true;
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (int i = 0; i < files.Length; i++)
        {
            byte[] bytes = Files.InputFile.ReadAllBytes(files[i], MaxFileBytes, m => new DataFileException(m));
            PngHeader.RequireWithinLimits(files[i], bytes);
            sha.AppendData(bytes);
            using var bitmap = Decode(bytes) ?? throw new DataFileException($"{files[i]}: not a decodable PNG image; remove or replace it");
            if (i == 0) (width, height) = (bitmap.Width, bitmap.Height);
            else if (bitmap.Width != width || bitmap.Height != height)
                throw new DataFileException($"{files[i]}: size {bitmap.Width}x{bitmap.Height} differs from {width}x{height} of {files[0]}; all " +
                    $"images must have one size");
            if ((long)rgb.Count * width * height * 3 > MaxDatasetBytes)
                throw new DataFileException($"{directory}: the images decode to more than {MaxDatasetBytes} bytes; use fewer or smaller images");
            var px = new byte[width * height * 3];
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    var c = bitmap.GetPixel(x, y);
                    int o = (y * width + x) * 3;
                    (px[o], px[o + 1], px[o + 2]) = (c.Red, c.Green, c.Blue);
                    if (c.Red != c.Green || c.Green != c.Blue) allGrey = false;
                }
            rgb.Add(px);
        }
        int ch = channels ?? (allGrey ? 1 : 3);
        long total = (long)files.Length * ch * height * width;
        if (total > MaxDatasetBytes)
            throw new DataFileException(
                $"{directory}: {files.Length} images of {width}x{height}x{ch} are {total} bytes, more than the {MaxDatasetBytes}-byte limit");
        var data = new byte[total];
        for (int i = 0; i < files.Length; i++)
            for (int c = 0; c < ch; c++)
                for (int p = 0; p < height * width; p++)
                    data[((i * ch + c) * height * width) + p] = rgb[i][p * 3 + (ch == 1 ? 0 : c)];

        using var scope = NewDisposeScope();
        var images = tensor(data, dtype: ScalarType.Byte).reshape(files.Length, ch, height, width).to_type(ScalarType.Float32) / 255f;
        if (range == PixelRange.MinusOneToOne) images = images * 2 - 1;
        Tensor? labels = labelled ? tensor(classOf.Select(p => (long)classNames.IndexOf(p[0])).ToArray()) : null;
        if (device is not null) { images = images.to(device); labels = labels?.to(device); }
        return new ImageDataset(Path.GetFileName(root.TrimEnd(Path.DirectorySeparatorChar)), images.MoveToOuterDisposeScope(),
            labels?.MoveToOuterDisposeScope(), classNames, range, Convert.ToHexStringLower(sha.GetHashAndReset()));
    }

    /// <summary>
    /// Writes (N, C, H, W) images in [-1, 1] as <c>000000.png</c>, <c>000001.png</c>, ... into a new folder
    /// (written beside it and renamed into place, so an interrupted write leaves no partial folder).
    /// </summary>
    public static void Write(Tensor images, string directory, int firstIndex = 0)
    {
        string full = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar);
        Files.OutputTarget.RequireNewFolder(full);
        string temp = full + ".partial-" + Environment.ProcessId;
        if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        try
        {
            Directory.CreateDirectory(temp);
            for (long i = 0; i < images.shape[0]; i++)
            {
                using var one = images.narrow(0, i, 1);
                File.WriteAllBytes(Path.Combine(temp, $"{firstIndex + i:D6}.png"), Output.ImageGrid.EncodePng(one, columns: 1, padding: 0));
            }
            Files.OutputTarget.RequireNewFolder(full);
            if (Directory.Exists(full)) Directory.Delete(full);
            Directory.Move(temp, full);
        }
        catch
        {
            try { if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            throw;
        }
    }

    private static SKBitmap? Decode(byte[] bytes)
    {
        try { return SKBitmap.Decode(bytes); }
        catch (ArgumentException) { return null; } // SkiaSharp reports undecodable data as a null argument
    }
}
