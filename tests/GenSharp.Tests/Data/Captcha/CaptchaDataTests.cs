using GenSharp.Nn;
using GenSharp.Data;
using GenSharp.Data.Captcha;
using GenSharp.Tests.Cli;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Data.Captcha;

/// <summary>The two ways in: <c>--data captcha[:OPTIONS]</c> (rendered on the fly) and <c>gensharp data captcha</c> (a folder).</summary>
public sealed class CaptchaDataTests
{
    [Fact]
    public void DataSpecParsesCaptchaWithOptionsAndStoresACanonicalForm()
    {
        var d = Assert.IsType<DataSpec.Captcha>(DataSpec.Parse("captcha"));
        Assert.Equal(new CaptchaOptions(), d.Options);
        Assert.Equal("captcha", d.Canonical);
        var o = Assert.IsType<DataSpec.Captcha>(DataSpec.Parse("captcha:n=100,length=5,heldout=20,seed=3")).Options;
        Assert.Equal((5, 100, 20, 3L), (o.Length, o.Train, o.HeldOut, o.Seed));
        Assert.Equal("captcha:length=5,n=100,heldout=20,seed=3", o.Canonical);
        Assert.Equal(o, Assert.IsType<DataSpec.Captcha>(DataSpec.Parse(o.Canonical)).Options);
        foreach (string bad in new[] { "captcha:size=3", "captcha:length=x", "captcha:length=0", "captcha:alphabet=AA", "captcha:n" })
        {
            var e = Assert.Throws<ConfigException>(() => DataSpec.Parse(bad));
            Assert.DoesNotContain('\n', e.Message);
            Assert.Contains("captcha", e.Message);
        }
    }

    [Fact]
    public void RunImagesRendersTrainingStringsToTrainOnAndTestStringsToScoreAgainst()
    {
        const string data = "captcha:n=24,heldout=12,seed=9";
        using var train = RunImages.Train(data, null);
        using var held = RunImages.HeldOut(data, null);
        using var limited = RunImages.Train(data, null, limit: 5);
        Assert.Equal((24, 12, 5), (train.Count, held.Count, limited.Count));
        Assert.Equal(new long[] { 1, 32, 96 }, train.Images.shape[1..]);
        using var expected = CaptchaSet.Render(new CaptchaOptions { Train = 24, HeldOut = 12, Seed = 9 }, CaptchaSplit.Test, 12, seed: 10);
        Assert.True(held.Images.eq(expected.Images).all().item<bool>());
        Assert.True(train.Images.narrow(0, 0, 5).eq(limited.Images).all().item<bool>());
        Assert.Null(RunImages.DeclareHeldOut(data, 0));
    }

    /// <summary>
    /// Image runs train on the 32x96 CAPTCHAs (docs/captcha.md#size); what a CAPTCHA run cannot honour is refused in one line before
    /// a run folder exists: class conditioning (CAPTCHAs have strings, not classes) and --flip with text conditioning.
    /// </summary>
    [Theory]
    [InlineData("class", "", "has no class labels")]
    [InlineData("text", "--flip", "mirrored CAPTCHA")]
    [InlineData("none", "--cross-attn=8", "--condition text only")]
    [InlineData("text", "--cross-attn=7", "--cross-attn 7: not one of this U-Net's feature-map heights (32, 16, 8)")]
    [InlineData("text", "--cross-attn=16 --batch=100", "--batch 100: larger than the 80")] // --cross-attn 16 passed: refused later
    public void WhatACaptchaRunCannotHonourIsRefusedInOneLine(string condition, string extra, string message)
    {
        string runs = TestTemp.Directory("gensharp-captcha-run").FullName;
        string[] args = ["train", "ddpm", "--data", "captcha:n=80,heldout=16", "--condition", condition, "--runs", runs, "--quiet",
            "--threads", "1", .. extra.Split(' ', StringSplitOptions.RemoveEmptyEntries)];
        var (rc, _, err) = CliRunner.Run(args);
        Assert.Equal(2, rc);
        Assert.Contains(message, err);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Empty(Directory.GetFileSystemEntries(runs));
    }

    [Fact]
    public void WithoutAttnACaptchaRunAttendsAtItsLowestLevelAsThe28x28ReferenceDoes()
    {
        Assert.Equal([8], GenSharp.Cli.Commands.TrainDdpmCommand.DefaultAttention("captcha", [1, 2, 2], [7]));
        Assert.Equal([16], GenSharp.Cli.Commands.TrainDdpmCommand.DefaultAttention("captcha:n=80", [1, 2], [7]));
        Assert.Equal([7], GenSharp.Cli.Commands.TrainDdpmCommand.DefaultAttention("fashion-mnist", [1, 2, 2], [7]));
        var lowest = new UNetConfig { Height = 32, Width = 96, Multipliers = [1, 2, 2], AttentionResolutions = [8] }.Validate();
        Assert.Equal(8, lowest.LevelResolutions[^1]);
    }

    [Trait("Category", "Slow")]
    [Fact]
    public void DataCaptchaWritesPngsAndLabelsAndRefusesAFolderThatIsNotEmpty()
    {
        string dir = Path.Combine(TestTemp.Directory("gensharp-captcha").FullName, "out");
        var (rc, output, err) = CliRunner.Run("data", "captcha", "--n", "6", "--seed", "4", "--out", dir, "--threads", "1");
        Assert.True(rc == 0, err);
        Assert.Contains("wrote 6 CAPTCHAs", output);
        var lines = File.ReadAllLines(Path.Combine(dir, CaptchaFolder.LabelsFile));
        using var set = CaptchaSet.Render(new CaptchaOptions(), CaptchaSplit.Train, 6, seed: 4);
        Assert.Equal(new[] { "file,text" }.Concat(set.Texts.Select((t, i) => $"{i:D6}.png,{t}")), lines);
        using var loaded = PngFolder.Load(dir);
        Assert.True(loaded.Images.eq(set.Images).all().item<bool>(), "the PNGs hold the rendered pixels exactly");

        string labels = File.ReadAllText(Path.Combine(dir, CaptchaFolder.LabelsFile));
        var (rc2, _, err2) = CliRunner.Run("data", "captcha", "--n", "3", "--seed", "5", "--out", dir, "--threads", "1");
        Assert.Equal(2, rc2);
        Assert.Contains("not empty", err2);
        Assert.Single(err2.Trim().Split('\n'));
        Assert.Equal(labels, File.ReadAllText(Path.Combine(dir, CaptchaFolder.LabelsFile)));
        Assert.Equal(7, Directory.GetFiles(dir).Length);
    }
}
