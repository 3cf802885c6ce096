using GenSharp.Diffusion;
using GenSharp.Diffusion.Images;
using GenSharp.Diffusion.Samplers;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace GenSharp.Tests.Diffusion.Samplers;

/// <summary>
/// <c>gensharp interpolate</c> and <c>gensharp invert</c> on the exact Gaussian model (<see cref="ExactGaussian"/>, whose noise predictor is
/// the true eps of a Gaussian data distribution), on image-shaped (B, 1, 2, 2) tensors.
/// </summary>
public sealed class DdimInterpolationAndInversionTests(ITestOutputHelper output)
{
    private static readonly ExactGaussian Data = new([1f, -2f, 0.5f, 0f], [0.5f, 2f, 1f, 0.3f]);
    private static readonly long[] ImageShape = [1, 2, 2];

    private static Func<Tensor, Tensor, Tensor> ImageEps(GaussianDiffusion diffusion)
    {
        var eps = Data.EpsModel(diffusion.Schedule);
        return (x, t) => eps(x.flatten(1), t).reshape(x.shape);
    }

    [Theory]
    [InlineData("slerp")]
    [InlineData("lerp")]
    public void InterpolationEndpointsAreTheSamplesOfTheTwoSeeds(string method)
    {
        using var scope = NewDisposeScope();
        using var diffusion = new GaussianDiffusion(new NoiseSchedule(new NoiseScheduleConfig(Timesteps: 200)));
        var eps = ImageEps(diffusion);
        var ddim = new SamplerSpec("ddim", 20).Validate(200).Create(diffusion);
        var frames = ImageDdpmInterpolation.Frames(ddim, eps, ImageShape, CPU, 3, 7, 6, method).Samples;
        Assert.Equal([6L, 1, 2, 2], frames.shape);
        // what gensharp sample --seed S --n 1 draws: the sampler's Sample with a generator seeded S (BatchedSampling.Draw)
        Tensor SampleOf(long seed)
        {
            using var g = new Generator((ulong)seed, CPU);
            return ddim.Sample(eps, [1, .. ImageShape], g, CPU).Samples[0];
        }
        Assert.True(allclose(frames[0], SampleOf(3), atol: 1e-6), "the first frame is seed 3's sample");
        Assert.True(allclose(frames[5], SampleOf(7), atol: 1e-6), "the last frame is seed 7's sample");
        // the frames in between are neither end, and the path is deterministic
        Assert.False(allclose(frames[2], frames[0], atol: 1e-3) || allclose(frames[2], frames[5], atol: 1e-3));
        Assert.True(allclose(frames, ImageDdpmInterpolation.Frames(ddim, eps, ImageShape, CPU, 3, 7, 6, method).Samples, rtol: 0, atol: 0));
    }

    [Fact]
    public void LerpShrinksTheMiddleNoiseAndSlerpDoesNot()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(4, CPU);
        var z0 = randn([1, 28, 28], generator: g);
        var z1 = randn([1, 28, 28], generator: g);
        double n0 = z0.norm().item<float>();
        double slerpMiddle = NoisePath.Between(z0, z1, 3, "slerp")[1].norm().item<float>();
        double lerpMiddle = NoisePath.Between(z0, z1, 3, "lerp")[1].norm().item<float>();
        Assert.InRange(slerpMiddle / n0, 0.95, 1.05);
        Assert.InRange(lerpMiddle / n0, 1 / Math.Sqrt(2) - 0.05, 1 / Math.Sqrt(2) + 0.05);     // |z0 + z1| / 2 ~ |z| / sqrt(2)
        Assert.Throws<ConfigException>(() => NoisePath.Validate("cubic"));
    }

    [Fact]
    public void InversionThenGenerationReturnsTheInputWithinAToleranceThatShrinksWithK()
    {
        using var scope = NewDisposeScope();
        using var diffusion = new GaussianDiffusion(new NoiseSchedule(new NoiseScheduleConfig()));
        var eps = ImageEps(diffusion);
        using var g = new Generator(21, CPU);
        var x0 = (tensor(Data.Mu) + tensor(Data.S) * randn([500, Data.Dims], generator: g)).reshape(500, 1, 2, 2);
        int[] steps = [10, 50, 200, 1000];
        var points = DdimRoundTrip.Sweep(diffusion, eps, x0, steps, [0.0, 1.0], seed: 5);
        double MeanError(int k, double eta) => DdimRoundTrip.Rmse(points.Single(p => p.Steps == k && p.Eta == eta).Reconstruction, x0).Average();
        foreach (int k in steps) output.WriteLine($"K = {k}: eta 0 RMSE {MeanError(k, 0):E3}, eta 1 RMSE {MeanError(k, 1):E3}");
        for (int i = 1; i < steps.Length; i++)
            Assert.True(MeanError(steps[i], 0) < 0.7 * MeanError(steps[i - 1], 0), $"eta 0: no shrink from K = {steps[i - 1]} to {steps[i]}");
        Assert.True(MeanError(1000, 0) < 0.01, $"K = 1000: {MeanError(1000, 0)}");
        // first order: the error times K stays bounded (it is O(1/K))
        Assert.True(MeanError(1000, 0) * 1000 < 3 * MeanError(50, 0) * 50);
        // stochastic decoding does not invert: a fresh sample sharing x_T, its error of the order of the data's spread
        Assert.True(MeanError(1000, 1) > 20 * MeanError(1000, 0), $"eta 1 at K = 1000: {MeanError(1000, 1)}");
        foreach (var p in points) p.Dispose();
    }
}
