using GenSharp.Data;
using GenSharp.Nn;
using GenSharp.Nn.Text;

namespace GenSharp.Diffusion.Images;

/// <summary>
/// What a text-conditional image DDPM (<c>--condition text</c>, docs/captcha.md#text-conditioning) adds to a class-conditional one: its
/// labels are the strings the images show, as (N, L) characters (<see cref="TextTokens.Characters"/>), and its U-Net reads them with a
/// text encoder and cross-attention. Guidance, label dropout and sampling are the class-conditional machinery's, unchanged.
/// </summary>
public static class TextConditioning
{
    /// <summary>
    /// The U-Net of a new text run on <paramref name="data"/>: the text path for the data's alphabet and length, and cross-attention at
    /// the lowest two levels unless <c>--cross-attn</c> chose (docs/captcha.md#cross-attention-levels).
    /// </summary>
    public static UNetConfig Network(UNetConfig network, string data, ImageDataset train)
    {
        if (DataSpec.Parse(data) is not DataSpec.Captcha captcha || train.Texts is null)
            throw new ConfigException($"--condition text: {data} shows no known strings; use --data captcha[:OPTIONS]");
        var text = (network.Text ?? new UNetTextConfig()) with { Alphabet = captcha.Options.Alphabet, MaxLength = captcha.Options.Length };
        int[] levels = network.CrossAttentionResolutions.Length > 0 ? network.CrossAttentionResolutions : DefaultLevels(network);
        return (network with { Text = text, CrossAttentionResolutions = levels }).Validate();
    }

    /// <summary>The two lowest levels' heights (one when the U-Net has one level): 16 and 8 of a 32x96 U-Net with three levels.</summary>
    public static int[] DefaultLevels(UNetConfig network) => network.LevelResolutions.TakeLast(2).ToArray();

    /// <summary><paramref name="train"/> with its strings as labels (N, L); takes over <paramref name="train"/>'s tensors.</summary>
    public static ImageDataset Labelled(ImageDataset train, TextTokens tokens)
    {
        if (train.Texts is null) throw new ConfigException($"--condition text: {train.Name} shows no known strings; use --data captcha");
        var labels = tokens.Characters(train.Texts).to(train.Images.device);
        return new ImageDataset(train.Name, train.Images, labels, train.ClassNames, train.Range, train.ContentHash, train.Texts);
    }
}
