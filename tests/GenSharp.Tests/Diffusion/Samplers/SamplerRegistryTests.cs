using GenSharp.Diffusion;
using GenSharp.Diffusion.Images;
using GenSharp.Diffusion.Samplers;
using static TorchSharp.torch;

namespace GenSharp.Tests.Diffusion.Samplers;

public sealed class SamplerRegistryTests
{
    private static GaussianDiffusion Diffusion(int timesteps) => new(new NoiseSchedule(new NoiseScheduleConfig(Timesteps: timesteps)));

    [Fact]
    public void NamesAreUniqueAndEachMapsToItsConfigRecord()
    {
        Assert.Equal(["ddpm", "ddim", "dpmpp", "dpmpp3", "unipc", "heun"], SamplerRegistry.Names);
        Assert.Equal(SamplerRegistry.Names.Count, SamplerRegistry.Names.Distinct().Count());
        Assert.Equal(typeof(AncestralSamplerConfig), SamplerRegistry.Find("ddpm").ConfigType);
        Assert.Equal(typeof(DdimSamplerConfig), SamplerRegistry.Find("ddim").ConfigType);
        Assert.Equal(typeof(DpmSolverPlusPlusSamplerConfig), SamplerRegistry.Find("dpmpp").ConfigType);
        using var diffusion = Diffusion(100);
        foreach (var definition in SamplerRegistry.All)
        {
            var spec = definition.Defaults(100, clipX0: false).Validate(100);
            Assert.IsType(definition.ConfigType, definition.Configure(spec, 100));
        }
    }

    [Theory]
    [InlineData("ddpm", null, 100)]
    [InlineData("ddim", null, 50)]
    [InlineData("ddim", 7, 7)]
    [InlineData("dpmpp", null, 20)]
    [InlineData("dpmpp", 13, 13)]
    [InlineData("unipc", 9, 9)]
    [InlineData("heun", 6, 6)]
    public void FunctionEvaluationsAreStepsTimesEvaluationsPerStepAndMatchTheNetworkCalls(string name, int? steps, int expectedSteps)
    {
        using var diffusion = Diffusion(100);
        var spec = new SamplerSpec(name, steps, ClipX0: false);
        var definition = SamplerRegistry.Find(name);
        Assert.Equal(expectedSteps, definition.Steps(spec, 100));
        Assert.Equal(name == "heun" ? 2 * expectedSteps - 1 : expectedSteps * definition.EvaluationsPerStep, spec.FunctionEvaluations(100));
        using var scope = NewDisposeScope();
        int calls = 0;
        var sampler = spec.Create(diffusion);
        var result = sampler.Sample((x, t) => { calls++; return zeros_like(x); }, [2, 3], new Generator(1, CPU), CPU);
        Assert.Equal(spec.FunctionEvaluations(100), calls);
        Assert.Equal(calls, result.FunctionEvaluations);
        Assert.Equal(calls, sampler.FunctionEvaluations);
    }

    [Fact]
    public void AnUnknownNameListsTheKnownOnes()
    {
        var e = Assert.Throws<ConfigException>(() => new SamplerSpec("lms").Validate(1000));
        Assert.Equal("--sampler lms: unknown; use one of ddpm, ddim, dpmpp, dpmpp3, unipc, heun", e.Message);
    }

    [Theory]
    [InlineData(1000, "ddim", 50)]
    [InlineData(20, "ddim", 20)]
    [InlineData(1000, "dpmpp", 20)]
    [InlineData(10, "dpmpp", 10)]
    public void DefaultStepsFollowT(int timesteps, string name, int steps)
    {
        Assert.Equal(steps, new SamplerSpec(name).Validate(timesteps).Steps);
        Assert.Equal(steps, SamplerRegistry.Find(name).Defaults(timesteps, clipX0: true).Steps);
    }

    [Theory]
    [InlineData("ddpm", SamplerSetting.Eta, "0.5", "--eta 0.5: does not apply to the ddpm sampler: ddpm has no eta; only ddim has an eta")]
    [InlineData("ddpm", SamplerSetting.Steps, "10", "--steps 10: does not apply to the ddpm sampler: ddpm runs all 20 steps")]
    [InlineData("ddpm", SamplerSetting.Spacing, "leading",
        "--spacing leading: does not apply to the ddpm sampler: ddpm walks the full table T-1..0; only ddim, dpmpp, dpmpp3 and unipc have a " +
        "timestep spacing")]
    [InlineData("dpmpp", SamplerSetting.Eta, "1", "--eta 1: does not apply to the dpmpp sampler")]
    [InlineData("ddim", SamplerSetting.Variance, "beta_tilde", "--variance beta_tilde: does not apply to the ddim sampler")]
    public void SettingsASamplerDoesNotReadAreRefused(string name, SamplerSetting setting, string value, string message)
    {
        var e = Assert.Throws<ConfigException>(() => SamplerRegistry.RefuseNotApplicable(name, [(setting, value)], 20));
        Assert.StartsWith(message.Split(':')[0], e.Message);
        Assert.Contains(message, e.Message);
        SamplerRegistry.RefuseNotApplicable(name, [(SamplerSetting.Sampler, name)], 20); // its own name always applies
    }

    [Theory]
    [InlineData("ddim", 50, 0.0, "beta", "ddim-50-eta0")]
    [InlineData("ddim", 20, 0.5, "beta", "ddim-20-eta0.5")]
    [InlineData("dpmpp", 10, 0.0, "beta", "dpmpp-10")]
    [InlineData("ddpm", 1000, 1.0, "beta_tilde", "ddpm-beta_tilde")]
    public void LabelsNameTheSettingsTheSamplerReads(string name, int steps, double eta, string variance, string label) =>
        Assert.Equal(label, new SamplerSpec(name, steps, eta, "leading", variance).Label);

    [Theory]
    [InlineData(1000)]
    [InlineData(20)]
    [InlineData(5)]
    public void TheFiguresSamplersFitAnyT(int timesteps)
    {
        using var diffusion = Diffusion(timesteps);
        var specs = ImageDdpmFigures.ComparedSamplers(timesteps);
        Assert.Equal(specs.Count, specs.Select(s => s.Label).Distinct().Count());
        foreach (var spec in specs)
        {
            Assert.True(spec.FunctionEvaluations(timesteps) <= timesteps, spec.Label);
            Assert.NotNull(spec.Create(diffusion));
        }
        Assert.Contains(specs, s => s.Name == "ddpm");
        Assert.Contains(specs, s => s.Name == "dpmpp");
    }
}
