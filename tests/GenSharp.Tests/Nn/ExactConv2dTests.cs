using GenSharp.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Nn;

public sealed class ExactConv2dTests
{
    /// <summary>
    /// The input gradient of a convolution with few filters, in fp32, equals the float64 one at fp32 rounding, for the
    /// layer shapes the networks use (the U-Net's 64 -> 1 output convolution, small test widths, the discriminator's
    /// 4x4 stride-2 input layer), repeated after filling freed memory with NaN: libtorch 2.10's own CPU kernel reads
    /// uninitialised memory there (see <see cref="ExactConv2d"/>).
    /// </summary>
    [Theory]
    [InlineData(64, 1, 3, 1, 1)]
    [InlineData(3, 5, 3, 1, 1)]
    [InlineData(12, 8, 3, 1, 1)]
    [InlineData(4, 8, 2, 1, 1)]
    [InlineData(1, 8, 4, 2, 1)]
    [InlineData(32, 32, 3, 1, 1)]
    [InlineData(8, 24, 1, 1, 0)]
    [InlineData(8, 8, 3, 2, 1)]
    public void InputGradientMatchesFloat64(int cin, int cout, int kernel, int stride, int padding)
    {
        for (int repeat = 0; repeat < 8; repeat++)
        {
            using var scope = NewDisposeScope();
            for (int j = 0; j < 5; j++) full([100 + 37 * j + repeat, 77], float.NaN).Dispose(); // dirty the allocator's free memory
            manual_seed(repeat);
            using var conv = nn.Conv2d(cin, cout, kernel, stride: stride, padding: padding);
            var x = randn([3, cin, 10 + repeat, 9]).requires_grad_();
            var y = conv.CallExact(x);
            var upstream = randn(y.shape);
            var gx = autograd.grad([(y * upstream).sum()], [x])[0];

            var x64 = x.detach().to(ScalarType.Float64).requires_grad_();
            var y64 = nn.functional.conv2d(x64, conv.weight!.detach().to(ScalarType.Float64), conv.bias!.detach().to(ScalarType.Float64),
                [stride, stride], [padding, padding]);
            var gx64 = autograd.grad([(y64 * upstream.to(ScalarType.Float64)).sum()], [x64])[0];
            Assert.Equal(y64.shape, y.shape);
            double outputError = (y.to(ScalarType.Float64) - y64).abs().max().item<double>() / y64.abs().max().item<double>();
            double gradientError = (gx.to(ScalarType.Float64) - gx64).abs().max().item<double>() / gx64.abs().max().item<double>();
            Assert.True(outputError < 1e-5, $"output: relative error {outputError:g3}");
            Assert.True(gradientError < 1e-5, $"d/dx: relative error {gradientError:g3} (repeat {repeat})");
        }
    }

    [Fact]
    public void TakesThePlainPathOnlyForChannelMultiplesOf16()
    {
        using var x = randn([2, 64, 7, 7]);
        using var narrowOutput = nn.Conv2d(64, 1, 3, padding: 1);
        Assert.True(ExactConv2d.NeedsPadding(narrowOutput, x));
        using var narrowInput = nn.Conv2d(1, 64, 3, padding: 1);
        Assert.True(ExactConv2d.NeedsPadding(narrowInput, randn([2, 1, 7, 7])));
        using var wide = nn.Conv2d(64, 32, 3, padding: 1);
        Assert.False(ExactConv2d.NeedsPadding(wide, x));
    }
}
