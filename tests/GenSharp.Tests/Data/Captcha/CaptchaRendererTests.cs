using GenSharp.Data;
using GenSharp.Data.Captcha;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Data.Captcha;

/// <summary>The CAPTCHA renderer (docs/captcha.md#renderer): determinism from a seed, size, pixel range, and what it draws.</summary>
public sealed class CaptchaRendererTests
{
    private static readonly CaptchaOptions Defaults = new();

    [Fact]
    public void TheSameSeedDrawsTheSamePixelsAndAnotherSeedOthers()
    {
        var a = CaptchaRenderer.Render("7KQ2", 42);
        Assert.Equal(a, CaptchaRenderer.Render("7KQ2", 42));
        Assert.Equal(CaptchaOptions.Height * CaptchaOptions.Width, a.Length);
        var b = CaptchaRenderer.Render("7KQ2", 43);
        int differing = a.Zip(b).Count(p => p.First != p.Second);
        Assert.True(differing > a.Length / 2, $"seeds 42 and 43 differ in only {differing} of {a.Length} pixels");
    }

    [Fact]
    public void ASetIsDeterministicAndEachItemIndependentOfTheOthers()
    {
        using var set = CaptchaSet.Render(Defaults, CaptchaSplit.Train, 12, seed: 5);
        using var again = CaptchaSet.Render(Defaults, CaptchaSplit.Train, 12, seed: 5);
        using var tail = CaptchaSet.Render(Defaults, CaptchaSplit.Train, 4, seed: 5, first: 8);
        using var other = CaptchaSet.Render(Defaults, CaptchaSplit.Train, 12, seed: 6);
        Assert.Equal(set.ContentHash, again.ContentHash);
        Assert.True(set.Images.eq(again.Images).all().item<bool>());
        Assert.Equal(set.Texts.Skip(8), tail.Texts);
        Assert.True(set.Images.narrow(0, 8, 4).eq(tail.Images).all().item<bool>());
        Assert.NotEqual(set.ContentHash, other.ContentHash);
        Assert.NotEqual(set.Texts, other.Texts);
    }

    [Fact]
    public void ImagesAre32By96GreyInTheRequestedRangeWithDarkInkOnALightBackground()
    {
        using var scope = NewDisposeScope();
        using var set = CaptchaSet.Render(Defaults, CaptchaSplit.Test, 16, seed: 1);
        Assert.Equal(new long[] { 16, 1, 32, 96 }, set.Images.shape);
        Assert.True(set.Images.min().item<float>() >= -1f && set.Images.max().item<float>() <= 1f);
        var flat = set.Images.flatten(1);
        // Every image has ink (pixels below -0.5, i.e. grey level < 64) and a background (above 0.5, level > 191): the text is drawn.
        Assert.True(flat.lt(-0.5).any(1).all().item<bool>());
        Assert.True(flat.gt(0.5).sum(1).min().item<long>() > flat.shape[1] / 2);
        // Pixel values are k/255 mapped to [-1, 1]: the bytes survive the conversion exactly.
        var levels = (set.Images + 1) / 2 * 255;
        Assert.True((levels - levels.round()).abs().max().item<float>() < 1e-3f);
        using var unit = CaptchaSet.Render(Defaults, CaptchaSplit.Test, 16, seed: 1, PixelRange.ZeroToOne);
        Assert.True(((set.Images + 1) / 2 - unit.Images).abs().max().item<float>() < 1e-6f);
    }

    [Fact]
    public void StringsUseTheAlphabetWithoutTheAmbiguousPairs()
    {
        Assert.Equal(32, CaptchaOptions.DefaultAlphabet.Length);
        Assert.DoesNotContain('0', CaptchaOptions.DefaultAlphabet);
        Assert.DoesNotContain('O', CaptchaOptions.DefaultAlphabet);
        Assert.DoesNotContain('1', CaptchaOptions.DefaultAlphabet);
        Assert.DoesNotContain('I', CaptchaOptions.DefaultAlphabet);
        using var set = CaptchaSet.Render(Defaults with { Alphabet = "XY7", Length = 6 }, CaptchaSplit.Train, 20, seed: 3);
        Assert.All(set.Texts, t => Assert.Matches("^[XY7]{6}$", t));
        using var idx = set.CharacterIndices("XY7");
        Assert.Equal(new long[] { 20, 6 }, idx.shape);
        Assert.Equal("XY7".IndexOf(set.Texts[4][2]), idx[4, 2].item<long>());
    }

    [Fact]
    public void AMissingFontIsAOneLineErrorNamingThePackage()
    {
        var e = Assert.Throws<DataFileException>(() => CaptchaFont.Load("/nonexistent/DejaVuSans-Bold.ttf"));
        Assert.Contains("fonts-dejavu-core", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.True(File.Exists(CaptchaFont.DefaultPath), $"{CaptchaFont.DefaultPath} missing: run build/setup-debian.sh");
    }
}
