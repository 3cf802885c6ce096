using System.Text.Json;
using System.Text.Json.Nodes;
using GenSharp.Diffusion.Images;
using GenSharp.Gan;
using GenSharp.Training;
using GenSharp.Vae;

namespace GenSharp.Tests.Training;

/// <summary>config.json written before the shared settings were one nested record still reads, with every value where it was.</summary>
public sealed class RunConfigMigrationTests
{
    [Fact]
    public void AFlatImageDdpmConfigReadsWithItsSharedValuesInTraining()
    {
        var flat = Parse("""
            {"model": "ddpm-image", "data": "png:/x", "seed": 3, "steps": 700, "batch": 16, "lr": 0.001, "warmup_steps": 70,
             "lr_decay": "cosine", "weight_decay": 0.01, "grad_clip": 0.5, "ema_decay": 0.99, "flip": true, "log_every": 7,
             "checkpoint_every": 70, "sample_every": 35, "eval_every": 140, "eval_samples": 200, "final_eval_samples": 300,
             "tensor_board": true, "precision": "bf16"}
            """);
        var c = RunConfigMigration.ToCurrent(flat).Deserialize<ImageDdpmConfig>(JsonDefaults.Options)!;
        var expected = new TrainingSettings
        {
            Data = "png:/x", Seed = 3, Steps = 700, Batch = 16, Lr = 0.001, WarmupSteps = 70, LrDecay = "cosine", WeightDecay = 0.01,
            GradClip = 0.5, EmaDecay = 0.99, LogEvery = 7, CheckpointEvery = 70, SampleEvery = 35, EvalEvery = 140, EvalSamples = 200,
            FinalEvalSamples = 300, TensorBoard = true,
        };
        Assert.Equal(expected, c.Training);
        Assert.True(c.Flip);
        Assert.Equal("bf16", c.Precision);
    }

    [Fact]
    public void GanAndVaeNamesMapToTheSharedOnes()
    {
        var gan = RunConfigMigration.ToCurrent(Parse("""
            {"model": "gan-fmnist", "data_dir": "/d", "loss": "wgan", "seed": 1, "epochs": 3, "batch": 64, "lr": 5e-05,
             "ema_decay": 0, "log_every": 50, "checkpoint_every": 500, "epoch_eval_samples": 1000, "eval_samples": 5000}
            """)).Deserialize<GanConfig>(JsonDefaults.Options)!.Validate();
        Assert.Equal(("fashion-mnist:/d", 3, 0L, 1000, 5000), (gan.Training.Data, gan.Training.Epochs, gan.Training.Steps,
            gan.Training.EvalSamples, gan.Training.FinalEvalSamples));
        Assert.Equal("/d", gan.DataDir());
        Assert.Equal((0L, 0.0), (gan.Training.WarmupSteps, gan.Training.GradClip));

        var vae = RunConfigMigration.ToCurrent(Parse("""
            {"model": "vae-fmnist", "data_dir": null, "seed": 2, "epochs": 4, "batch": 128, "lr": 0.001, "warmup_steps": 100,
             "lr_decay": "cosine", "grad_clip": 0, "log_every": 50, "checkpoint_every": 1000, "epoch_eval_samples": 0, "eval_samples": 200}
            """)).Deserialize<VaeConfig>(JsonDefaults.Options)!.Validate();
        Assert.Equal(("fashion-mnist", 4, 0, 200, 0.0), (vae.Training.Data, vae.Training.Epochs, vae.Training.EvalSamples,
            vae.Training.FinalEvalSamples, vae.Training.EmaDecay));
        Assert.Null(vae.DataDir());
    }

    [Fact]
    public void ACurrentConfigIsLeftAsItIs()
    {
        string json = JsonSerializer.Serialize(new ImageDdpmConfig(), JsonDefaults.Options);
        var node = Parse(json);
        Assert.Equal(json, RunConfigMigration.ToCurrent(node).ToJsonString(JsonDefaults.Options));
    }

    private static JsonObject Parse(string json) => (JsonObject)JsonNode.Parse(json)!;
}
