using GenSharp.Diffusion;
using GenSharp.Diffusion.Samplers;
using static TorchSharp.torch;

namespace GenSharp.Tests.Diffusion.Samplers;

public sealed class SamplerFactoryTests
{
    [Theory]
    [InlineData("ddpm", null, 100, "ddpm")]
    [InlineData("ddim", null, 50, "ddim")]
    [InlineData("ddim", 7, 7, "ddim")]
    [InlineData("dpmpp", null, 20, "dpmpp-2m")]
    [InlineData("dpmpp", 12, 12, "dpmpp-2m")]
    public void EachNameGivesItsSamplerAndItsNumberOfEvaluations(string name, int? steps, int evaluations, string prefix)
    {
        using var diffusion = new GaussianDiffusion(new NoiseSchedule(new NoiseScheduleConfig(Timesteps: 100)));
        var sampler = SamplerFactory.Create(name, diffusion, steps);
        Assert.StartsWith(prefix, sampler.Name);
        Assert.Equal(evaluations, sampler.FunctionEvaluations);
        Assert.Equal(evaluations, sampler.Table.Steps);
        using var scope = NewDisposeScope();
        int calls = 0;
        var result = sampler.Sample((x, t) => { calls++; return zeros_like(x); }, [3, 2], new Generator(1, CPU), CPU);
        Assert.Equal(evaluations, calls);
        Assert.Equal(evaluations, result.FunctionEvaluations);
        Assert.True(result.Seconds >= 0);
        Assert.Equal(["ddpm", "ddim", "dpmpp", "dpmpp3", "unipc", "heun"], SamplerFactory.Names);
    }

    [Theory]
    [InlineData("euler", null, 0.0, "trailing", "--sampler euler: unknown")]
    [InlineData("ddpm", 50, 0.0, "trailing", "ddpm runs all 100 steps")]
    [InlineData("dpmpp", null, 0.5, "trailing", "only ddim has an eta")]
    [InlineData("ddim", 101, 0.0, "trailing", "--steps 101")]
    [InlineData("ddim", 10, -0.1, "trailing", "--eta -0.1")]
    [InlineData("ddim", 10, 50.0, "trailing", "too large for this trailing table")]
    [InlineData("dpmpp", 100, 0.0, "linspace", "drops t = 0")]
    [InlineData("ddim", 10, 0.0, "uniform", "--spacing uniform")]
    public void ImpossibleRequestsAreConfigErrors(string name, int? steps, double eta, string spacing, string message)
    {
        using var diffusion = new GaussianDiffusion(new NoiseSchedule(new NoiseScheduleConfig(Timesteps: 100)));
        var e = Assert.Throws<ConfigException>(() => SamplerFactory.Create(name, diffusion, steps, eta, spacing));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void EtaUpToOneIsAlwaysAllowed()
    {
        using var diffusion = new GaussianDiffusion(new NoiseSchedule(new NoiseScheduleConfig(Kind: "cosine")));
        foreach (string spacing in TimestepTable.Spacings)
            foreach (int k in new[] { 1, 2, 10, 333, 1000 })
                Assert.Equal(k, SamplerFactory.Create("ddim", diffusion, k, 1.0, spacing).FunctionEvaluations);
    }
}
