using GenSharp.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Vdm;

/// <summary>
/// What a VDM run trains, in one module so that one optimiser, the EMA and the checkpoints cover both: the reference U-Net as the noise
/// predictor eps_hat(z_t; gamma_t) and the log-SNR schedule gamma (parameters only when learned). The U-Net is conditioned on gamma_t
/// rather than t, rescaled to its time input as 1000 (gamma_t - gamma_min) / (gamma_max - gamma_min) with the configured endpoints:
/// a function of the SNR alone, so that the same network can be evaluated under another schedule with the same endpoints, under which
/// L_inf is unchanged (Kingma et al. 2021, sec. 5.1; docs/vdm.md#invariance). With Fourier features the U-Net reads z_t and
/// <see cref="FourierFeatures.Of"/>(z_t) concatenated along the channels and still predicts C channels (docs/vdm.md#fourier-features).
/// </summary>
public sealed class VdmNetwork : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly UNet unet;
    private readonly LogSnrSchedule gamma;
    private readonly double _gammaMin, _gammaMax;
    private readonly bool _fourier;

    public VdmNetwork(UNetConfig network, LogSnrScheduleConfig schedule, bool fourierFeatures = false) : base(nameof(VdmNetwork))
    {
        _fourier = fourierFeatures;
        unet = new UNet(network, extraInputs: fourierFeatures ? FourierFeatures.Channels(network.InChannels) : 0);
        gamma = schedule.Create();
        (_gammaMin, _gammaMax) = (schedule.Gamma0, schedule.Gamma1);
        RegisterComponents();
    }

    /// <summary>The noise predictor's U-Net.</summary>
    public UNet UNet => unet;

    /// <summary>The log-SNR schedule gamma(t).</summary>
    public LogSnrSchedule Schedule => gamma;

    /// <param name="z">(B, C, H, W) noisy images z_t</param>
    /// <param name="gammaT">(B) log-SNR gamma_t of each image</param>
    /// <returns>(B, C, H, W) eps_hat</returns>
    public override Tensor forward(Tensor z, Tensor gammaT)
    {
        using var scope = NewDisposeScope();
        var time = LogSnr.NetworkTime(gammaT, _gammaMin, _gammaMax);
        var input = _fourier ? cat([z, FourierFeatures.Of(z)], 1) : z;
        return unet.call(input, time).MoveToOuterDisposeScope();
    }
}
