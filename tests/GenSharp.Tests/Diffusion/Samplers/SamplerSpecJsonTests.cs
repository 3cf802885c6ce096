using System.Text.Json;
using GenSharp.Diffusion.Images;
using GenSharp.Diffusion.Samplers;

namespace GenSharp.Tests.Diffusion.Samplers;

/// <summary>The <c>sampler</c> object of an image DDPM's config.json: written and read back, and as older runs wrote it.</summary>
public sealed class SamplerSpecJsonTests
{
    [Theory]
    [InlineData("ddim", 20, 0.5, "leading", "beta")]
    [InlineData("dpmpp", 10, 0.0, "trailing", "beta")]
    [InlineData("ddpm", null, 0.0, "trailing", "beta_tilde")]
    public void ASpecSurvivesConfigJson(string name, int? steps, double eta, string spacing, string variance)
    {
        var spec = new SamplerSpec(name, steps, eta, spacing, variance).Validate(100);
        var config = new ImageDdpmConfig { Schedule = new GenSharp.Diffusion.NoiseScheduleConfig(Timesteps: 100), Sampler = spec };
        string json = JsonSerializer.Serialize(config, JsonDefaults.Options);
        Assert.Contains("\"sampler\": {", json);
        var back = JsonSerializer.Deserialize<ImageDdpmConfig>(json, JsonDefaults.Options)!.Validate();
        Assert.Equal(spec, back.Sampler);
        Assert.Equal(spec.Label, back.Sampler.Label);
        Assert.Equal(spec.FunctionEvaluations(100), back.Sampler.FunctionEvaluations(100));
    }

    /// <summary>
    /// Runs written before the registry carry every field for every sampler (a ddpm run trained with <c>--sampler ddpm</c>
    /// stored DDIM's default 50 steps); they load, validate and sample as before: ancestral DDPM runs all T steps.
    /// </summary>
    [Theory]
    [InlineData("ddpm", 50, 0.0, "trailing", 1000, "ddpm-beta")]
    [InlineData("ddpm", 1000, 1.0, "leading", 1000, "ddpm-beta")]
    [InlineData("ddim", 50, 0.0, "trailing", 50, "ddim-50-eta0")]
    [InlineData("dpmpp", 20, 0.0, "trailing", 20, "dpmpp-20")]
    public void AnOlderConfigJsonStillLoads(string name, int steps, double eta, string spacing, int evaluations, string label)
    {
        string etaText = eta.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string json = $$"""
            {
              "model": "ddpm-image",
              "data": "fashion-mnist",
              "schedule": { "kind": "linear", "timesteps": 1000, "beta_start": 0.0001, "beta_end": 0.02 },
              "sampler": {
                "name": "{{name}}", "steps": {{steps}}, "eta": {{etaText}}, "spacing": "{{spacing}}", "variance": "beta", "clip_x0": true
              },
              "image_shape": [1, 28, 28]
            }
            """;
        var config = JsonSerializer.Deserialize<ImageDdpmConfig>(json, JsonDefaults.Options)!.Validate();
        var spec = config.Sampler.Validate(config.Schedule.Timesteps);
        Assert.Equal(name, spec.Name);
        Assert.True(spec.ClipX0);
        Assert.Equal(evaluations, spec.FunctionEvaluations(1000));
        Assert.Equal(label, spec.Label);
    }
}
