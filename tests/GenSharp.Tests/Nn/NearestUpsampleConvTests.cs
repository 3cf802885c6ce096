using GenSharp.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Nn;

public sealed class NearestUpsampleConvTests
{
    /// <summary>
    /// The fused sub-pixel form equals Upsample(nearest, 2) followed by a 3x3 padding-1 convolution: the output,
    /// the gradient with respect to the input, to the weight and to the bias, in float64 (where summation order
    /// cannot hide a wrong tap) and in float32 at its rounding level. Odd and even sizes, non-square inputs.
    /// </summary>
    [Theory]
    [InlineData(2, 3, 5, 7, 7)]
    [InlineData(3, 4, 2, 5, 6)]
    [InlineData(1, 1, 1, 1, 1)]
    [InlineData(2, 64, 64, 7, 7)]
    [InlineData(2, 1, 4, 5, 5)]      // 16 sub-pixel outputs from one input channel: the fast form
    [InlineData(3, 12, 8, 6, 5)]     // 32 sub-pixel outputs
    public void Equals_upsample_then_conv_with_gradients(int batch, int cin, int cout, int h, int w)
    {
        using var scope = NewDisposeScope();
        foreach (var dtype in new[] { ScalarType.Float64, ScalarType.Float32 })
        {
            manual_seed(batch * 1000 + cin * 10 + h);
            var x = randn([batch, cin, h, w], dtype: dtype).requires_grad_();
            var weight = randn([cout, cin, 3, 3], dtype: dtype).requires_grad_();
            var bias = randn([cout], dtype: dtype).requires_grad_();
            var upstream = randn([batch, cout, 2 * h, 2 * w], dtype: dtype);

            // the plain form through ExactConv2d: libtorch's own fp32 input gradient is wrong for few filters (ExactConv2dTests)
            var reference = ExactConv2d.Conv2d(
                nn.functional.interpolate(x, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest), weight, bias, [1, 1], [1, 1]);
            var (gx, gw, gb) = Gradients(reference, upstream, x, weight, bias);
            var fused = NearestUpsampleConv.Forward(x, weight, bias);
            var (fx, fw, fb) = Gradients(fused, upstream, x, weight, bias);

            Assert.Equal(reference.shape, fused.shape);
            double tol = dtype == ScalarType.Float64 ? 1e-10 : 2e-4;
            AssertClose(reference, fused, tol, $"output {dtype}");
            AssertClose(gx, fx, tol, $"d/dx {dtype}");
            AssertClose(gw, fw, tol, $"d/dweight {dtype}");
            AssertClose(gb, fb, tol, $"d/dbias {dtype}");
        }
    }

    [Fact]
    public void Works_without_bias()
    {
        using var scope = NewDisposeScope();
        var x = randn([2, 3, 4, 4], dtype: ScalarType.Float64);
        var weight = randn([5, 3, 3, 3], dtype: ScalarType.Float64);
        var upsampled = nn.functional.interpolate(x, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest);
        var reference = nn.functional.conv2d(upsampled, weight, padding: [1, 1]);
        AssertClose(reference, NearestUpsampleConv.Forward(x, weight, null), 1e-10, "output");
    }

    private static (Tensor, Tensor, Tensor) Gradients(Tensor output, Tensor upstream, Tensor x, Tensor weight, Tensor bias)
    {
        var grads = autograd.grad([(output * upstream).sum()], [x, weight, bias]);
        return (grads[0], grads[1], grads[2]);
    }

    /// <summary>Max absolute difference relative to the reference's largest magnitude.</summary>
    private static void AssertClose(Tensor expected, Tensor actual, double tol, string what)
    {
        double scale = Math.Max(1.0, expected.abs().max().to_type(ScalarType.Float64).item<double>());
        double err = (expected - actual).abs().max().to_type(ScalarType.Float64).item<double>() / scale;
        Assert.True(err < tol, $"{what}: relative max error {err:g3} >= {tol:g3}");
    }
}
