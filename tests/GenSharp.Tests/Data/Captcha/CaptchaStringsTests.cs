using GenSharp.Data.Captcha;

namespace GenSharp.Tests.Data.Captcha;

/// <summary>Training and test strings are disjoint sets (docs/captcha.md#unseen-strings), with one string in ten a test string.</summary>
public sealed class CaptchaStringsTests
{
    [Fact]
    public void TrainingAndTestStringsAreDisjoint()
    {
        var o = new CaptchaOptions();
        using var train = CaptchaSet.Render(o, CaptchaSplit.Train, 400, seed: 0);
        using var test = CaptchaSet.Render(o, CaptchaSplit.Test, 400, seed: 0);
        Assert.All(train.Texts, t => Assert.Equal(CaptchaSplit.Train, CaptchaStrings.SplitOf(t)));
        Assert.All(test.Texts, t => Assert.Equal(CaptchaSplit.Test, CaptchaStrings.SplitOf(t)));
        Assert.Empty(train.Texts.Intersect(test.Texts));
        var rng = new Random(7);
        for (int i = 0; i < 2000; i++)
        {
            string a = CaptchaStrings.Draw(rng, o.Alphabet, o.Length, CaptchaSplit.Train);
            string b = CaptchaStrings.Draw(rng, o.Alphabet, o.Length, CaptchaSplit.Test);
            Assert.NotEqual(CaptchaStrings.SplitOf(a), CaptchaStrings.SplitOf(b));
        }
    }

    [Fact]
    public void OneStringInTenIsATestString()
    {
        // 20,000 uniform strings: the test fraction is Binomial(20000, 0.1) / 20000, standard deviation 0.0021; allow 5 of them.
        var rng = new Random(11);
        var chars = new char[4];
        int test = 0;
        const int n = 20_000;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < 4; j++) chars[j] = CaptchaOptions.DefaultAlphabet[rng.Next(32)];
            if (CaptchaStrings.SplitOf(new string(chars)) == CaptchaSplit.Test) test++;
        }
        Assert.InRange((double)test / n, 0.1 - 5 * 0.0021, 0.1 + 5 * 0.0021);
    }

    [Fact]
    public void TheSplitIsTheFirstFourBytesOfTheSha256ModuloTen()
    {
        // Computed independently with Python's hashlib: int.from_bytes(sha256(s).digest()[:4], "big") % 10.
        foreach (string s in new[] { "2235", "2242", "2245", "2323", "2334" }) Assert.Equal(CaptchaSplit.Test, CaptchaStrings.SplitOf(s));
        foreach (string s in new[] { "7KQ2", "ABCD", "2222", "ZZZZ", "HBC4", "2KAK", "QENQ" })
            Assert.Equal(CaptchaSplit.Train, CaptchaStrings.SplitOf(s));
    }
}
