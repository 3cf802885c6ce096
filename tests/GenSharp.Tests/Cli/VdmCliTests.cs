using System.Text.Json;
using GenSharp.Data;
using GenSharp.Training;

namespace GenSharp.Tests.Cli;

/// <summary>
/// <c>gensharp train vdm</c> (docs/vdm.md) end to end on real Fashion-MNIST with a tiny U-Net and 64 images: the run, <c>sample --steps</c>,
/// <c>eval --bpd</c> with every term of the bound, and clear one-line errors for options a VDM cannot honour.
/// </summary>
[Collection("training")]
public sealed class VdmCliTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public void TrainsSamplesAndReportsTheBoundTermByTerm()
    {
        string runs = TestTemp.Directory("gensharp-vdm").FullName;
        var train = CliRunner.Run(["train", "vdm", "--runs", runs, "--name", "tiny", "--data", "fashion-mnist", "--train-limit", "64",
            "--steps", "4", "--batch", "8", "--ch", "8", "--mults", "1,2", "--attn", "none", "--schedule", "learned", "--schedule-width", "8",
            "--variance-gradient", "--fourier-features", "--sample-steps", "2", "--sample-every", "4", "--eval-every", "0", "--final-eval-n", "0",
            "--checkpoint-every", "4", "--log-every", "2", "--threads", "1", "--quiet"]);
        Assert.True(train.ExitCode == 0, train.Err + train.Out);
        var run = RunDirectory.Open(Path.Combine(runs, "tiny"));
        Assert.True(File.Exists(Path.Combine(run.PlotsDir, "log-snr-schedule.png")));
        Assert.True(RunConfigFile.Read<GenSharp.Vdm.VdmConfig>(run).FourierFeatures);
        Assert.All(run.Metrics.Series("loss").Values, v => Assert.InRange(v, 1, 20));   // a bound in bits/dim of 8-bit data

        string output = Path.Combine(runs, "out");
        var sample = CliRunner.Run("sample", run.Root, "--n", "3", "--sampler", "vdm-ancestral", "--steps", "3", "-o", output, "--threads", "1",
            "--quiet");
        Assert.True(sample.ExitCode == 0, sample.Err);
        Assert.Contains("3 network evaluations", sample.Out);
        using (var images = PngFolder.Load(output))
            Assert.Equal(new long[] { 3, 1, 28, 28 }, images.Images.shape);
        var ddim = CliRunner.Run("sample", run.Root, "--n", "3", "--eta", "1", "--quiet");
        Assert.Equal(2, ddim.ExitCode);
        Assert.Contains("--eta 1: does not apply to a VDM run", ddim.Err);

        var eval = CliRunner.Run("eval", run.Root, "--n", "10", "--bpd", "20", "--steps", "2", "--no-figures", "--threads", "1", "--quiet");
        Assert.True(eval.ExitCode == 0, eval.Err);
        using var json = JsonDocument.Parse(File.ReadAllText(run.EvalPath));
        var m = json.RootElement.GetProperty("metrics");
        double total = m.GetProperty("bits_per_dim").GetDouble();
        double sum = m.GetProperty("bpd_diffusion").GetDouble() + m.GetProperty("bpd_prior").GetDouble()
            + m.GetProperty("bpd_reconstruction").GetDouble();
        Assert.Equal(sum, total, 1e-9);
        Assert.True(m.GetProperty("bpd_diffusion_L10").GetDouble() > m.GetProperty("bpd_diffusion_L1000").GetDouble());
        Assert.True(m.GetProperty("loss_variance").GetDouble() > 0);
        Assert.Equal(2, m.GetProperty("function_evaluations").GetDouble());
        Assert.Equal(20, json.RootElement.GetProperty("bits_per_dim").GetProperty("images").GetInt32());
    }

    [Theory]
    [InlineData("sample", "--sampler ddim", "--sampler ddim: a VDM run samples only with vdm-ancestral")]
    [InlineData("eval", "--sampler dpmpp --steps 10", "--sampler dpmpp: a VDM run samples only with vdm-ancestral")]
    [InlineData("eval", "--sampler vdm-ancestral --spacing leading", "--spacing leading: does not apply to a VDM run")]
    [InlineData("sample", "--variance beta_tilde", "--variance beta_tilde: does not apply to a VDM run")]
    public void OtherSamplersOnAVdmRunAreOneLineErrorsNamingWhatItTakes(string verb, string options, string expected)
    {
        // the refusal comes from config.json alone, before any checkpoint is read (docs/vdm.md#sampling)
        var run = RunDirectory.Create(Path.Combine(TestTemp.Directory("gensharp-vdm-sampler").FullName, "run"));
        RunConfigFile.Write(run, new GenSharp.Vdm.VdmConfig());
        var (rc, _, err) = CliRunner.Run([verb, run.Root, "--quiet", .. options.Split(' ')]);
        Assert.Equal(2, rc);
        Assert.StartsWith("error: " + expected, err);
        Assert.Contains("--steps (docs/vdm.md#sampling)", err);
        Assert.DoesNotContain('\n', err.Trim());
    }

    [Fact]
    public void TheVdmSamplerOnADdpmRunIsAOneLineErrorListingTheRunsSamplers()
    {
        var run = RunDirectory.Create(Path.Combine(TestTemp.Directory("gensharp-vdm-sampler").FullName, "run"));
        RunConfigFile.Write(run, new GenSharp.Diffusion.Images.ImageDdpmConfig());
        var (rc, _, err) = CliRunner.Run(["sample", run.Root, "--quiet", "--sampler", "vdm-ancestral"]);
        Assert.Equal(2, rc);
        Assert.StartsWith("error: --sampler vdm-ancestral: the sampler of VDM runs (train vdm, docs/vdm.md#sampling); this run takes ddpm, ddim",
            err);
        Assert.DoesNotContain('\n', err.Trim());
    }

    [Theory]
    [InlineData("--data toy:mog2 --flip", "--flip applies to image data only, and --data is toy:mog2")]
    [InlineData("--data toy:mog2 --schedule wavy", "--schedule wavy: unknown")]
    [InlineData("--data toy:mog2 --schedule linear --variance-gradient", "--variance-gradient: needs --schedule learned")]
    [InlineData("--schedule wavy", "--schedule wavy: unknown")]
    [InlineData("--schedule cosine --learn-endpoints", "--learn-endpoints: needs --schedule learned")]
    [InlineData("--variance-gradient", "--variance-gradient: needs --schedule learned")]
    [InlineData("--gamma-min 5 --gamma-max 5", "gamma-min < gamma-max")]
    [InlineData("--sample-steps 0", "--sample-steps 0")]
    public void BadOptionsAreOneLineErrorsWithExitCode2(string options, string expected)
    {
        string runs = TestTemp.Directory("gensharp-vdm-bad").FullName;
        var (rc, _, err) = CliRunner.Run(["train", "vdm", "--runs", runs, "--quiet", "--threads", "1", .. options.Split(' ')]);
        Assert.Equal(2, rc);
        Assert.StartsWith("error: ", err);
        Assert.Contains(expected, err);
        Assert.DoesNotContain('\n', err.Trim());
        Assert.Empty(Directory.GetDirectories(runs));
    }
}
