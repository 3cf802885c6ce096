using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenSharp.Nn;

/// <summary>
/// A work-around for a defect of libtorch 2.10's oneDNN convolutions on this CPU (AMD EPYC with AVX-512): when the
/// number of input or output channels is not a multiple of 16, results can be wrong. The fp32 gradient with respect
/// to the input is off by 30-70 % for a 3x3 kernel with 1, 5 or 8 filters; channels padded inside oneDNN are read
/// uninitialised (NaN whenever the allocator hands out memory holding NaN); the bfloat16 forward pass is wrong too.
/// With oneDNN switched off, or with channel counts that are multiples of 16, every result is exact to rounding, but
/// switching oneDNN off costs 1.6-2.8x per reference U-Net step. The reference U-Net's first (1 -> 64) and last
/// (64 -> 1) convolutions are such layers, so every gradient of a training step would be corrupted.
/// <see cref="Conv2d"/> computes the same convolution with the input channels padded by explicit zeros and the filters
/// padded by zero filters to multiples of 16, and keeps the real outputs: the same function and the same parameters
/// (names, shapes and checkpoints unchanged), at the cost of the padded channels' multiply-adds on the few small
/// layers concerned (CPU only). Tests: ExactConv2dTests. See DEVELOPERS.md ("oneDNN's small convolutions").
/// </summary>
public static class ExactConv2d
{
    /// <summary>Channel multiple for which oneDNN's CPU convolutions are exact.</summary>
    public const long ChannelBlock = 16;

    /// <summary>Whether <paramref name="conv"/> applied to <paramref name="x"/> takes the padded form.</summary>
    public static bool NeedsPadding(Conv2d conv, Tensor x) =>
        conv.groups == 1 && conv.padding_mode == PaddingModes.Zeros && Affected(x, conv.weight!);

    /// <summary><paramref name="conv"/>(<paramref name="x"/>), exact on the CPU.</summary>
    public static Tensor CallExact(this Conv2d conv, Tensor x) =>
        NeedsPadding(conv, x) ? Conv2d(x, conv.weight!, conv.bias, conv.stride, conv.padding!, conv.dilation) : conv.call(x);

    /// <summary>nn.functional.conv2d (zero padding, one group), exact on the CPU (see the class comment).</summary>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, long[] stride, long[] padding, long[]? dilation = null)
    {
        if (!Affected(x, weight)) return nn.functional.conv2d(x, weight, bias, stride, padding, dilation);
        using var scope = NewDisposeScope();
        long cout = weight.shape[0], cin = weight.shape[1];
        long extraOut = Extra(cout), extraIn = Extra(cin);
        if (extraIn > 0)
        {
            x = cat([x, zeros([x.shape[0], extraIn, x.shape[2], x.shape[3]], x.dtype, x.device)], 1);        // (B, Cin', H, W)
            weight = cat([weight, zeros([cout, extraIn, weight.shape[2], weight.shape[3]], weight.dtype, weight.device)], 1);
        }
        if (extraOut > 0)
        {
            weight = cat([weight, zeros([extraOut, weight.shape[1], weight.shape[2], weight.shape[3]], weight.dtype, weight.device)], 0);
            bias = bias is null ? null : cat([bias, zeros([extraOut], bias.dtype, bias.device)], 0);
        }
        var y = nn.functional.conv2d(x, weight, bias, stride, padding, dilation);         // (B, Cout', H', W')
        return (extraOut > 0 ? y.narrow(1, 0, cout) : y).MoveToOuterDisposeScope();
    }

    /// <summary>The defect's conditions: the CPU and a channel count that is not a multiple of 16.</summary>
    private static bool Affected(Tensor x, Tensor weight) =>
        x.device_type == DeviceType.CPU && (weight.shape[0] % ChannelBlock != 0 || weight.shape[1] % ChannelBlock != 0);

    private static long Extra(long channels) => (channels + ChannelBlock - 1) / ChannelBlock * ChannelBlock - channels;
}
