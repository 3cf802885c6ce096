using GenSharp.Nn;
using GenSharp.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenSharp.Tests.Training;

public sealed class FusedAdamWTests
{
    /// <summary>
    /// Same parameters, moments and step counts as TorchSharp's AdamW (PyTorch's update) over 30 steps with
    /// weight decay, a learning rate changed between steps (as the trainer's schedule does) and gradients of
    /// very different scales per tensor; the only difference is fp32 rounding order.
    /// </summary>
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.01)]
    public void Matches_torch_AdamW_step_for_step(double weightDecay)
    {
        using var scope = NewDisposeScope();
        var config = new UNetConfig { Channels = 8, Multipliers = [1, 2], AttentionResolutions = [], Height = 8, Width = 8, Groups = 4 };
        manual_seed(3);
        using var a = new UNet(config);
        using var b = new UNet(config);
        b.load_state_dict(a.state_dict());
        var pa = a.parameters().ToArray();
        var pb = b.parameters().ToArray();
        using var reference = optim.AdamW(pa, lr: 1e-2, weight_decay: weightDecay);
        using var fused = new FusedAdamW(pb, lr: 1e-2, weight_decay: weightDecay);
        Assert.True(fused.IsFused);
        var gen = new Generator(9);
        for (int step = 1; step <= 30; step++)
        {
            double lr = 1e-2 * (1 + Math.Sin(step));
            foreach (var g in reference.ParamGroups) g.LearningRate = lr;
            foreach (var g in fused.ParamGroups) g.LearningRate = lr;
            for (int i = 0; i < pa.Length; i++)
            {
                var grad = randn(pa[i].shape, generator: gen) * Math.Pow(10, (i % 5) - 2);
                pa[i].grad = grad.clone();
                pb[i].grad = grad.clone();
            }
            reference.step();
            fused.step();
        }
        for (int i = 0; i < pa.Length; i++)
        {
            double scale = Math.Max(1e-3, pa[i].abs().max().item<float>());
            double err = (pa[i] - pb[i]).abs().max().item<float>() / scale;
            Assert.True(err < 1e-5, $"parameter {i}: relative difference {err:g3}");
        }
        var ra = reference.state_dict().State.Cast<TorchSharp.Modules.AdamW.State>().ToArray();
        var rb = fused.state_dict().State.Cast<TorchSharp.Modules.AdamW.State>().ToArray();
        for (int i = 0; i < ra.Length; i++)
        {
            Assert.Equal(ra[i].step, rb[i].step);
            Assert.True(allclose(ra[i].exp_avg, rb[i].exp_avg, rtol: 1e-5, atol: 1e-9), $"exp_avg {i}");
            Assert.True(allclose(ra[i].exp_avg_sq, rb[i].exp_avg_sq, rtol: 1e-5, atol: 1e-12), $"exp_avg_sq {i}");
        }
    }

    [Fact]
    public void A_missing_gradient_falls_back_to_the_per_parameter_update()
    {
        using var scope = NewDisposeScope();
        var w1 = new Parameter(ones(3));
        var w2 = new Parameter(ones(2));
        var r1 = new Parameter(ones(3));
        var r2 = new Parameter(ones(2));
        using var fused = new FusedAdamW([w1, w2], lr: 0.1);
        using var reference = optim.AdamW([r1, r2], lr: 0.1);
        w1.grad = full(3, 2f); r1.grad = full(3, 2f); // w2/r2 have no gradient: skipped, step counts diverge
        fused.step(); reference.step();
        w1.grad = full(3, -1f); w2.grad = full(2, 3f); r1.grad = full(3, -1f); r2.grad = full(2, 3f);
        fused.step(); reference.step();
        Assert.True(allclose(w1, r1, rtol: 1e-6) && allclose(w2, r2, rtol: 1e-6), "fallback differs from AdamW");
        Assert.True(w2.eq(r2).all().item<bool>() || allclose(w2, r2), "second parameter");
    }
}
