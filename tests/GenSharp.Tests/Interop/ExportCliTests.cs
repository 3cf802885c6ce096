using GenSharp.Diffusion;
using GenSharp.Diffusion.Images;
using GenSharp.Diffusion.Samplers;
using GenSharp.Interop;
using GenSharp.Nn;
using GenSharp.Tests.Cli;
using GenSharp.Training;
using static TorchSharp.torch;

namespace GenSharp.Tests.Interop;

/// <summary>
/// <c>gensharp export RUN --format pytorch|diffusers-scheduler</c> on a DDPM run made here (a small U-Net with different model and
/// EMA weights in its checkpoint): the export holds the EMA weights under PyTorch's names, never overwrites without --force, and the
/// scheduler config reads back as the run's schedule and sampler.
/// </summary>
public sealed class ExportCliTests
{
    private static (RunDirectory Run, ImageDdpmConfig Config) MakeRun(string root)
    {
        var config = new ImageDdpmConfig
        {
            Network = new UNetConfig { Channels = 8, Multipliers = [1, 2], AttentionResolutions = [] },
            Schedule = new NoiseScheduleConfig("cosine", 400),
            Sampler = new SamplerSpec("ddim", 30, 0.25, "leading", ClipX0: true, StepsOffset: 1),
        };
        var run = RunDirectory.Create(Path.Combine(root, "run"));
        RunConfigFile.Write(run, config);
        manual_seed(3);
        using var model = new UNet(config.Network);
        using var ema = new UNet(config.Network);
        using (no_grad()) foreach (var p in ema.parameters()) p.add_(1.0); // EMA differs from the model
        Checkpoint.Save(run.CheckpointPath(10), new TrainingSnapshot(model, ema, null, null) { Step = 10 });
        return (run, config);
    }

    [Fact]
    public void PyTorchExportHoldsTheEmaWeightsUnderPyTorchNamesAndNeverOverwritesWithoutForce()
    {
        string root = TestTemp.Directory("gensharp-export").FullName;
        var (run, config) = MakeRun(root);
        string outDir = Path.Combine(root, "out");
        var (rc, stdout, err) = CliRunner.Run("export", run.Root, "--format", "pytorch", "-o", outDir);
        Assert.True(rc == 0, err);
        Assert.Contains("wrote " + Path.Combine(outDir, PyTorchExport.WeightsFile), stdout);

        using var ema = new UNet(config.Network);
        Checkpoint.LoadModule(run.CheckpointPath(10), "ema", ema);
        using (var exported = Safetensors.Load(Path.Combine(outDir, PyTorchExport.WeightsFile)))
        {
            var expected = ema.state_dict();
            Assert.Equal(expected.Keys.Order(), exported.Tensors.Keys.Order());
            Assert.Contains("conv_in.weight", exported.Tensors.Keys);
            foreach (var (key, value) in expected) Assert.True(value.allclose(exported.Tensors[key], 0, 0), key);
            Assert.Equal("pt", exported.Metadata["format"]);
        }
        using (var loaded = new UNet(config.Network))
        {
            PyTorchWeights.Load(loaded, Path.Combine(outDir, PyTorchExport.WeightsFile)); // and back, strictly
            Assert.True(loaded.parameters().First().allclose(ema.parameters().First(), 0, 0));
        }
        Assert.Equal(PyTorchExport.LoaderSource(), File.ReadAllText(Path.Combine(outDir, PyTorchExport.LoaderFile)));
        Assert.Contains("\"ddpm-image\"", File.ReadAllText(Path.Combine(outDir, PyTorchExport.DescriptionFile)));

        var before = PyTorchExport.Files(outDir).Select(File.ReadAllBytes).ToList();
        var again = CliRunner.Run("export", run.Root, "--format", "pytorch", "-o", outDir);
        Assert.Equal(2, again.ExitCode);
        Assert.Single(again.Err.Trim().Split('\n'));
        Assert.Contains("exists; pass --force", again.Err);
        Assert.Equal(before, PyTorchExport.Files(outDir).Select(File.ReadAllBytes).ToList());
        Assert.Equal(0, CliRunner.Run("export", run.Root, "--format", "pytorch", "-o", outDir, "--force").ExitCode);

        var inside = CliRunner.Run("export", run.Root, "--format", "pytorch", "-o", run.CheckpointsDir);
        Assert.Equal(2, inside.ExitCode);
        Assert.Contains("inside the run's own files", inside.Err);
    }

    /// <summary>A GAN run with EMA exports the EMA generator (what sample draws from) beside the trained discriminator; a VAE run its
    /// encoder and decoder; both load back strictly.</summary>
    [Fact]
    public void GanAndVaeRunsExportTheWeightsTheySampleWith()
    {
        string root = TestTemp.Directory("gensharp-export-gan").FullName;
        var gan = new GenSharp.Gan.GanConfig { Training = new GenSharp.Gan.GanConfig().Training with { EmaDecay = 0.99 } };
        var ganRun = RunDirectory.Create(Path.Combine(root, "gan"));
        RunConfigFile.Write(ganRun, gan);
        manual_seed(4);
        using var pair = new GenSharp.Gan.GanPair(gan.Network);
        using var shadow = new GenSharp.Gan.PixelShuffleGenerator(gan.Network);
        using (no_grad()) foreach (var p in shadow.parameters()) p.add_(1.0);
        Checkpoint.Save(ganRun.CheckpointPath(5), new TrainingSnapshot(pair, shadow, null, null) { Step = 5 });
        var files = PyTorchExport.FromRun(ganRun, Path.Combine(root, "gan-out"), force: false);
        using (var exported = Safetensors.Load(files[0]))
        {
            Assert.True(exported.Tensors["generator.fc1.weight"].allclose(shadow.state_dict()["fc1.weight"], 0, 0));
            Assert.True(exported.Tensors["discriminator.fc1.weight"].allclose(pair.Discriminator.state_dict()["fc1.weight"], 0, 0));
        }
        Assert.Contains("generator: ema, discriminator: model", File.ReadAllText(files[1]));

        var vae = new GenSharp.Vae.VaeConfig();
        var vaeRun = RunDirectory.Create(Path.Combine(root, "vae"));
        RunConfigFile.Write(vaeRun, vae);
        using var model = new GenSharp.Vae.VariationalAutoencoder(vae.Network);
        Checkpoint.Save(vaeRun.CheckpointPath(5), new TrainingSnapshot(model, null, null, null) { Step = 5 });
        var vaeFiles = PyTorchExport.FromRun(vaeRun, Path.Combine(root, "vae-out"), force: false);
        using var loaded = new GenSharp.Vae.VariationalAutoencoder(vae.Network);
        PyTorchWeights.Load(loaded, vaeFiles[0]);
        Assert.True(loaded.state_dict()["decoder.output.weight"].allclose(model.state_dict()["decoder.output.weight"], 0, 0));
        using var vaeExported = Safetensors.Load(vaeFiles[0]);
        Assert.Contains("encoder.conv1.weight", vaeExported.Tensors.Keys);
    }

    /// <summary>The run's sampler has diffusers' steps_offset 1 on the leading table; another --spacing drops the offset.</summary>
    [Fact]
    public void ARunWithAStepsOffsetSamplesWithItAndDropsItForAnotherSpacing()
    {
        string root = TestTemp.Directory("gensharp-export-offset").FullName;
        var (run, _) = MakeRun(root);
        foreach (string[] extra in new[] { Array.Empty<string>(), ["--spacing", "trailing"] })
        {
            string outDir = Path.Combine(root, "s" + extra.Length);
            var (rc, _, err) = CliRunner.Run(["sample", run.Root, "--n", "2", "--steps", "3", "-o", outDir, "--threads", "1", "--quiet", .. extra]);
            Assert.True(rc == 0, err);
            Assert.Equal(2, Directory.GetFiles(outDir, "*.png").Length);
        }
    }

    [Fact]
    public void DiffusersExportReadsBackAsTheRunsScheduleAndSampler()
    {
        string root = TestTemp.Directory("gensharp-export-sched").FullName;
        var (run, config) = MakeRun(root);
        string outDir = Path.Combine(root, "sched");
        var (rc, stdout, err) = CliRunner.Run("export", run.Root, "--format", "diffusers-scheduler", "-o", outDir);
        Assert.True(rc == 0, err);
        Assert.Contains("set_timesteps(30)", stdout);
        Assert.Contains("eta=0.25", stdout);
        string path = Path.Combine(outDir, DiffusersSchedulerWriter.FileName);
        var back = DiffusersSchedulerReader.Read(path);
        Assert.Equal("DDIMScheduler", back.ClassName);
        Assert.Equal(config.Schedule, back.Schedule);
        Assert.Equal(config.Sampler, back.Sampler);

        var again = CliRunner.Run("export", run.Root, "--format", "diffusers-scheduler", "-o", outDir);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("exists; pass --force", again.Err);
        var badFormat = CliRunner.Run("export", run.Root, "--format", "onnx");
        Assert.Equal(2, badFormat.ExitCode);
    }
}
