using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenSharp.Nn;

/// <summary>
/// <c>nn.GroupNorm</c> with PyTorch's initialisation (weight 1, bias 0). TorchSharp 0.107.0's GroupNorm
/// allocates its affine parameters with <c>torch.empty</c> and never initialises them (unlike its LayerNorm
/// and BatchNorm), so they hold whatever the allocator returned: garbage, sometimes NaN. Use this factory
/// for every GroupNorm.
/// </summary>
public static class InitializedGroupNorm
{
    public static GroupNorm Create(long groups, long channels, double eps = 1e-5)
    {
        var norm = nn.GroupNorm(groups, channels, eps);
        using (no_grad())
        {
            norm.weight.fill_(1f);
            norm.bias!.zero_();
        }
        return norm;
    }
}
