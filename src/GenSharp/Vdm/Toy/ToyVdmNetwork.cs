using GenSharp.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Vdm.Toy;

/// <summary>
/// What a toy VDM run trains, in one module (one optimiser, EMA and checkpoints for both): the toy DDPM's MLP as the noise predictor
/// eps_hat(z_t; gamma_t), its time input <see cref="LogSnr.NetworkTime"/>(gamma_t) as the image VDM's U-Net (docs/vdm.md#toys), and the
/// log-SNR schedule gamma (parameters only when learned).
/// </summary>
public sealed class ToyVdmNetwork : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly MlpNoisePredictor mlp;
    private readonly LogSnrSchedule gamma;
    private readonly double _gammaMin, _gammaMax;

    public ToyVdmNetwork(MlpNoisePredictorConfig network, LogSnrScheduleConfig schedule) : base(nameof(ToyVdmNetwork))
    {
        mlp = new MlpNoisePredictor(network);
        gamma = schedule.Create();
        (_gammaMin, _gammaMax) = (schedule.Gamma0, schedule.Gamma1);
        RegisterComponents();
    }

    /// <summary>The log-SNR schedule gamma(t).</summary>
    public LogSnrSchedule Schedule => gamma;

    /// <summary>D, the data dimension.</summary>
    public int DataDim => mlp.Config.DataDim;

    /// <param name="z">(B, D) noisy standardised points z_t</param>
    /// <param name="gammaT">(B) log-SNR gamma_t of each point</param>
    /// <returns>(B, D) eps_hat</returns>
    public override Tensor forward(Tensor z, Tensor gammaT)
    {
        using var scope = NewDisposeScope();
        return mlp.call(z, LogSnr.NetworkTime(gammaT, _gammaMin, _gammaMax)).MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) { mlp.Dispose(); gamma.Dispose(); }
        base.Dispose(disposing);
    }
}
