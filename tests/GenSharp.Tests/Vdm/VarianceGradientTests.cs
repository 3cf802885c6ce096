using GenSharp.Vdm;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace GenSharp.Tests.Vdm;

/// <summary>
/// The variance-minimising gradient of a learned schedule (docs/vdm.md#invariance): with the exact denoiser of 2D Gaussian data, training
/// only the schedule on it lowers the variance of the one-sample diffusion loss below the linear schedule's, while the loss's mean stays.
/// </summary>
public sealed class VarianceGradientTests(ITestOutputHelper output)
{
    [Fact]
    [Trait("Category", "Slow")]
    public void TrainingTheLearnedScheduleOnItsVarianceLowersTheLossVariance()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        double s = 0.3;
        var m = tensor(new[] { 0.2, -0.4 });
        using var learned = new LearnedLogSnr(-13.3, 5.0, 32, learnEndpoints: false);
        using var linear = new LinearLogSnr(-13.3, 5.0);
        Func<Tensor, Tensor, Tensor> exact = (z, gamma) => VdmBoundTests.ExactEps(z, gamma, m, s);
        var objective = new VdmObjective(learned, exact, discretised: false);
        using var optimizer = optim.Adam(learned.parameters(), 0.05);
        using var g = new Generator(2);
        (double Mean, double Variance) Measure(LogSnrSchedule schedule)
        {
            using var inner = NewDisposeScope();
            using var noGrad = no_grad();
            using var eval = new Generator(77);
            var x = m + s * randn([50_000, 2], dtype: ScalarType.Float64, generator: eval);
            using var terms = new VdmObjective(schedule, exact, discretised: false).Terms(x, eval);
            return (terms.Diffusion.mean().item<double>(), terms.Diffusion.var().item<double>());
        }
        var before = Measure(learned);
        for (int step = 0; step < 150; step++)
        {
            using var inner = NewDisposeScope();
            optimizer.zero_grad();
            var x = m + s * randn([256, 2], dtype: ScalarType.Float64, generator: g);
            objective.BitsPerDimWithVarianceGradient(x, g).backward();
            optimizer.step();
        }
        var after = Measure(learned);
        var reference = Measure(linear);
        output.WriteLine($"L_inf mean / variance (nats): linear {reference.Mean:F4} / {reference.Variance:F4}, learned at start " +
            $"{before.Mean:F4} / {before.Variance:F4}, after 150 steps {after.Mean:F4} / {after.Variance:F4}");
        Assert.True(after.Variance < 0.7 * reference.Variance, $"variance {after.Variance:F4} vs the linear schedule's {reference.Variance:F4}");
        Assert.True(after.Variance < 0.7 * before.Variance);
        Assert.Equal(reference.Mean, after.Mean, 0.05 * reference.Mean); // L_inf itself does not depend on the interior
    }
}
