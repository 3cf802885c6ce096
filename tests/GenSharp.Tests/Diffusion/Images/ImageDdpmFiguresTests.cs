using GenSharp.Diffusion;
using GenSharp.Diffusion.Images;
using GenSharp.Nn;
using GenSharp.Training;
using static TorchSharp.torch;

namespace GenSharp.Tests.Diffusion.Images;

/// <summary>
/// The course's figures take their sampler settings from T: with T = 20 (below DDIM's 50 steps and the comparison's 100)
/// every figure is drawn, on an untrained tiny U-Net (the figures' code, not the model, is under test).
/// </summary>
[Trait("Category", "Slow")]
public sealed class ImageDdpmFiguresTests
{
    [Fact]
    public void EveryFigureIsDrawnWithTwentyTimesteps()
    {
        const int T = 20;
        var run = RunDirectory.Create(Path.Combine(TestTemp.Directory("gensharp-fig").FullName, "t20"));
        var network = new UNetConfig { Channels = 8, Multipliers = [1, 2], AttentionResolutions = [], Dropout = 0 };
        var config = new ImageDdpmConfig { Schedule = new NoiseScheduleConfig(Timesteps: T), Network = network };
        manual_seed(1);
        using var model = new UNet(network);
        using var diffusion = new GaussianDiffusion(new NoiseSchedule(config.Schedule));

        ImageDdpmFigures.WriteAll(run, config, model, diffusion, CPU, quiet: true);

        foreach (string figure in new[] { "forward-noising.png", "reverse-process.png", "ddim-interpolation.png", "samplers.json" })
            Assert.True(File.Exists(Path.Combine(run.PlotsDir, figure)), $"missing plots/{figure}");
        string samplers = File.ReadAllText(ImageDdpmFigures.SamplersJsonPath(run));
        Assert.Contains("ddim-20-eta0", samplers);
        Assert.DoesNotContain("ddim-50", samplers);
        Assert.All(ImageDdpmFigures.ComparedSamplers(T), s => Assert.True(s.FunctionEvaluations(T) <= T, s.Label));
    }
}
