using GenSharp.Diffusion;
using GenSharp.Diffusion.Samplers;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace GenSharp.Tests.Diffusion.Samplers;

public sealed class DdimInversionTests(ITestOutputHelper output)
{
    private static readonly ExactGaussian Data = new([1f, -2f, 0.5f, 0f], [0.5f, 2f, 1f, 0.3f]);

    [Fact]
    public void InvertingThenDecodingReturnsTheDataAndTheErrorShrinksWithSteps()
    {
        using var scope = NewDisposeScope();
        using var diffusion = new GaussianDiffusion(new NoiseSchedule(new NoiseScheduleConfig()));
        var eps = Data.EpsModel(diffusion.Schedule);
        using var g = new Generator(21, CPU);
        var x0 = tensor(Data.Mu).unsqueeze(0) + tensor(Data.S).unsqueeze(0) * randn([2000, Data.Dims], generator: g);
        var errors = new List<double>();
        foreach (int k in new[] { 50, 200, 1000 })
        {
            var inversion = new DdimInversion(diffusion, k);
            var xT = inversion.Invert(eps, x0).Samples;
            // the encoding follows the probability-flow ODE: x_T = sqrt(abar_T) mu + sqrt(v_T) (x_0 - mu) / s
            double encodingError = ExactGaussian.Rms(xT, Data.OdeEncoding(x0, diffusion.Schedule.AlphaBars[^1]));
            var decoded = new DdimSampler(diffusion, new DdimSamplerConfig(k)).SampleFrom(eps, xT, null).Samples;
            double roundTrip = ExactGaussian.Rms(decoded, x0);
            output.WriteLine($"{k} steps: RMS(x_T - exact encoding) {encodingError:E3}, RMS(decode(invert(x_0)) - x_0) {roundTrip:E3}");
            errors.Add(roundTrip);
            Assert.True(encodingError < 5.0 / k, $"{k} steps: encoding error {encodingError}");
        }
        Assert.True(errors[1] < errors[0] && errors[2] < errors[1], string.Join(", ", errors));
        Assert.True(errors[2] < 0.01, $"round trip error at 1000 steps {errors[2]}");
    }

    [Fact]
    public void SlerpKeepsTheNormAndMovesTheAngleLinearly()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(2, CPU);
        var z0 = randn([3, 8, 8], generator: g);
        var z1 = randn([3, 8, 8], generator: g);
        z1 = z1 * (z0.norm() / z1.norm()); // equal norms: slerp then keeps the norm exactly
        double Angle(Tensor a, Tensor b) => Math.Acos(Math.Clamp(((a * b).sum() / (a.norm() * b.norm())).item<float>(), -1, 1));
        double theta = Angle(z0, z1);
        var path = Slerp.Path(z0, z1, 5);
        Assert.Equal([5L, 3, 8, 8], path.shape);
        Assert.True(allclose(path[0], z0, atol: 1e-5) && allclose(path[4], z1, atol: 1e-5));
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(z0.norm().item<float>(), path[i].norm().item<float>(), 1e-3);
            Assert.Equal(i / 4.0 * theta, Angle(z0, path[i]), 1e-3);
        }
        // parallel inputs fall back to the straight line instead of dividing by sin(0)
        var same = Slerp.Between(z0, 2 * z0, 0.5);
        Assert.True(allclose(same, 1.5 * z0, atol: 1e-5));
    }

    [Fact]
    public void ARowBetweenTwoNoisesDecodesDeterministicallyAndItsEndsAreTheTwoSamples()
    {
        using var scope = NewDisposeScope();
        using var diffusion = new GaussianDiffusion(new NoiseSchedule(new NoiseScheduleConfig(Timesteps: 200)));
        var eps = Data.EpsModel(diffusion.Schedule);
        var sampler = new DdimSampler(diffusion, new DdimSamplerConfig(20));
        using var g = new Generator(8, CPU);
        var z0 = randn([Data.Dims], generator: g);
        var z1 = randn([Data.Dims], generator: g);
        var row = sampler.SampleFrom(eps, Slerp.Path(z0, z1, 7), null).Samples;
        var ends = sampler.SampleFrom(eps, stack([z0, z1]), null).Samples;
        Assert.True(allclose(row[0], ends[0], atol: 1e-5) && allclose(row[6], ends[1], atol: 1e-5));
        // for the exact (affine) decoder the row is the same affine image of the slerp path
        var exact = Data.OdeSolution(Slerp.Path(z0, z1, 7), diffusion.Schedule.AlphaBars[^1]);
        Assert.True(ExactGaussian.Rms(row, exact) < 0.2);
    }
}
