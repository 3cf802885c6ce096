using System.Security.Cryptography;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Data.Captcha;

/// <summary>
/// N rendered CAPTCHAs of one <see cref="CaptchaSplit"/>: the strings and the images (N, 1, 32, 96) float32 in a
/// <see cref="PixelRange"/>. Item i depends only on (seed, split, i), so any prefix of a set is the smaller set. Owns its tensor.
/// </summary>
public sealed class CaptchaSet : IDisposable
{
    private CaptchaSet(string[] texts, Tensor images, string contentHash)
    {
        Texts = texts;
        Images = images;
        ContentHash = contentHash;
    }

    public IReadOnlyList<string> Texts { get; }
    public Tensor Images { get; }
    public int Count => Texts.Count;

    /// <summary>SHA-256 of the strings and the grey bytes.</summary>
    public string ContentHash { get; }

    /// <summary>The string and pixels of item <paramref name="index"/> of a set.</summary>
    public static (string Text, byte[] Pixels) Item(string alphabet, int length, long seed, CaptchaSplit split, long index)
    {
        long itemSeed = unchecked(seed * 0x2545F4914F6CDD1DL + 2 * index + (split == CaptchaSplit.Test ? 1 : 0));
        string text = CaptchaStrings.Draw(new Random(CaptchaRenderer.Mix(itemSeed ^ 0x5DEECE66DL)), alphabet, length, split);
        return (text, CaptchaRenderer.Render(text, itemSeed));
    }

    /// <summary>
    /// Renders items [<paramref name="first"/>, first + n) of a set, on as many threads as torch uses (<c>--threads</c>); each item is
    /// independent of the others, so the result does not depend on the thread count.
    /// </summary>
    public static CaptchaSet Render(CaptchaOptions options, CaptchaSplit split, int n, long seed, PixelRange range = PixelRange.MinusOneToOne,
        long first = 0)
    {
        const int pixels = CaptchaOptions.Height * CaptchaOptions.Width;
        var texts = new string[n];
        var bytes = new byte[(long)n * pixels];
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, get_num_threads()) }, i =>
        {
            var (text, px) = Item(options.Alphabet, options.Length, seed, split, first + i);
            texts[i] = text;
            px.CopyTo(bytes, (long)i * pixels);
        });
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes(string.Join('\n', texts)));
        sha.AppendData(bytes);
        using var scope = NewDisposeScope();
        var images = tensor(bytes, dtype: ScalarType.Byte).reshape(n, 1, CaptchaOptions.Height, CaptchaOptions.Width)
            .to_type(ScalarType.Float32) / 255f;
        if (range == PixelRange.MinusOneToOne) images = images * 2 - 1;
        return new CaptchaSet(texts, images.MoveToOuterDisposeScope(), Convert.ToHexStringLower(sha.GetHashAndReset()));
    }

    /// <summary>Character indices (N, Length) int64 of the strings in <paramref name="alphabet"/>.</summary>
    public Tensor CharacterIndices(string alphabet)
    {
        int length = Texts[0].Length;
        var idx = new long[Count * length];
        for (int i = 0; i < Count; i++)
            for (int j = 0; j < length; j++) idx[i * length + j] = alphabet.IndexOf(Texts[i][j]);
        return tensor(idx).reshape(Count, length);
    }

    /// <summary>The images as an unlabelled <see cref="ImageDataset"/> (a copy; this set keeps its own).</summary>
    public ImageDataset ToImageDataset(string name, PixelRange range) => new(name, Images.clone(), null, [], range, ContentHash);

    public void Dispose() => Images.Dispose();
}
