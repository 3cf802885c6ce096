using System.Diagnostics;
using GenSharp.Diffusion;
using GenSharp.Diffusion.Conditioning;
using GenSharp.Diffusion.Samplers;
using GenSharp.Nn;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace GenSharp.Tests.Bench;

/// <summary>
/// The cost of classifier-free guidance (docs/ddpm.md#classifier-free-guidance): guided DDIM at w = 3 on B images (one network call on
/// 2B rows per step, plus the mix) against the same sampler without guidance on 2B images (one call on 2B rows), alternated round by
/// round on the reference U-Net with 10 classes. Prints the medians and their ratio (BENCHMARKS.md); asserts only a generous bound.
/// </summary>
[Collection("memory")]
[Trait("Category", "Benchmark")]
public sealed class GuidedSamplingCostTests(ITestOutputHelper output)
{
    [Fact]
    public void GuidedSamplingCostsAboutAsMuchAsAnUnguidedSamplerAtTwiceTheBatch()
    {
        const int b = 32, rounds = 5;
        manual_seed(1);
        using var unet = new UNet(new UNetConfig(), classes: 10);
        unet.eval();
        using var diffusion = new GaussianDiffusion(new NoiseSchedule(new NoiseScheduleConfig()));
        var sampler = new DdimSampler(diffusion, new DdimSamplerConfig(Steps: 10));
        ConditionalNoisePredictor model = (x, t, y) => unet.Forward(x, t, y);
        double Time(int n, double w)
        {
            using var g = new Generator(3, CPU);
            using var labels = randint(0, 10, [n], generator: g);
            var clock = Stopwatch.StartNew();
            using var samples = sampler.Sample(ClassifierFreeGuidance.Guide(model, labels, 10, w), [n, 1, 28, 28], g, CPU).Samples;
            return clock.Elapsed.TotalSeconds;
        }
        Time(b, 3); // warm-up
        var guided = new List<double>();
        var plain = new List<double>();
        for (int r = 0; r < rounds; r++)
        {
            guided.Add(Time(b, 3));      // B images, 2B rows per call
            plain.Add(Time(2 * b, 0));   // 2B images, 2B rows per call (w = 0: the null label only, no mix)
        }
        double g0 = Median(guided), p0 = Median(plain), ratio = g0 / p0;
        output.WriteLine($"guided w=3, batch {b}: median {g0:F3} s [{string.Join(", ", guided.Select(s => s.ToString("F3")))}]");
        output.WriteLine($"unguided, batch {2 * b}: median {p0:F3} s [{string.Join(", ", plain.Select(s => s.ToString("F3")))}]");
        output.WriteLine($"ratio guided / unguided at twice the batch: {ratio:F3} (threads {get_num_threads()})");
        Assert.True(ratio < 1.5, $"guided sampling costs {ratio:F2}x an unguided sampler at twice the batch");
    }

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
    }
}
