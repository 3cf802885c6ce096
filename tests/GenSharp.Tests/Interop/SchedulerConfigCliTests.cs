using GenSharp.Diffusion;
using GenSharp.Diffusion.Images;
using GenSharp.Diffusion.Samplers;
using GenSharp.Tests.Cli;
using GenSharp.Training;

namespace GenSharp.Tests.Interop;

/// <summary><c>train ddpm --scheduler-config FILE</c> (docs/interop.md#diffusers-scheduler-configs).</summary>
public sealed class SchedulerConfigCliTests
{
    private static string WriteConfig(string folder, string json)
    {
        string path = Path.Combine(folder, "scheduler_config.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void ConflictsAndUnhonourableConfigsAreOneLineErrorsBeforeAnyRunExists()
    {
        string runs = TestTemp.Directory("gensharp-schedcfg").FullName;
        string good = WriteConfig(TestTemp.Directory("gensharp-schedcfg-file").FullName, """{"_class_name": "DDIMScheduler"}""");
        string vpred = WriteConfig(TestTemp.Directory("gensharp-schedcfg-v").FullName,
            """{"_class_name": "DDIMScheduler", "prediction_type": "sample"}""");
        (string[] Args, string Expected)[] cases =
        [
            (["--data", "fashion-mnist", "--scheduler-config", good, "--timesteps", "200"], $"--scheduler-config {good} with --timesteps"),
            (["--data", "fashion-mnist", "--scheduler-config", good, "--schedule", "cosine"], "drop --schedule"),
            (["--data", "fashion-mnist", "--scheduler-config", good, "--resume"], "a resumed run keeps the schedule"),
            (["--data", "toy:mog2", "--scheduler-config", good], "--scheduler-config applies to image data only"),
            (["--data", "fashion-mnist", "--scheduler-config", vpred], "prediction_type \"sample\""),
            (["--data", "fashion-mnist", "--scheduler-config", Path.Combine(runs, "none.json")], "file not found"),
        ];
        foreach (var (args, expected) in cases)
        {
            var (rc, _, err) = CliRunner.Run(["train", "ddpm", "--runs", runs, "--name", "x", "--quiet", .. args]);
            Assert.Equal(2, rc);
            Assert.Single(err.Trim().Split('\n'));
            Assert.Contains(expected, err);
        }
        Assert.Empty(Directory.GetDirectories(runs));
    }

    /// <summary>A DDIM config with the cosine schedule and T = 100 trains a tiny U-Net on Fashion-MNIST; config.json holds its schedule
    /// and sampler, with the typed --sampler-steps on top.</summary>
    [Fact]
    [Trait("Category", "Slow")]
    public void TheRunTakesItsScheduleAndSamplerFromTheConfig()
    {
        string runs = TestTemp.Directory("gensharp-schedcfg-train").FullName;
        string config = WriteConfig(runs, """
            {"_class_name": "DDIMScheduler", "num_train_timesteps": 100, "beta_schedule": "squaredcos_cap_v2", "timestep_spacing": "trailing",
             "clip_sample": true, "set_alpha_to_one": true, "steps_offset": 0, "prediction_type": "epsilon"}
            """);
        var (rc, stdout, err) = CliRunner.Run("train", "ddpm", "--runs", runs, "--name", "sc", "--data", "fashion-mnist", "--scheduler-config",
            config, "--steps", "4", "--batch", "8", "--ch", "8", "--mults", "1,2", "--attn", "none", "--sample-every", "4", "--eval-every", "0",
            "--final-eval-n", "0", "--sampler-steps", "5", "--checkpoint-every", "4", "--threads", "2", "--quiet");
        Assert.True(rc == 0, err + stdout);
        Assert.Contains("scheduler config: DDIMScheduler -> cosine schedule, T = 100", stdout);
        var written = RunConfigFile.Read<ImageDdpmConfig>(RunDirectory.Open(Path.Combine(runs, "sc")));
        Assert.Equal(new NoiseScheduleConfig("cosine", 100), written.Schedule);
        Assert.Equal(new SamplerSpec("ddim", 5, 0, "trailing", ClipX0: true), written.Sampler);
    }
}
