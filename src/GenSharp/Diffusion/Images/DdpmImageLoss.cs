using GenSharp.Nn;
using GenSharp.Pipelines;
using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Diffusion.Images;

/// <summary>
/// L_simple (docs/ddpm.md#model-and-loss): E || eps - eps_theta(sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps, t) ||^2 with t uniform; with bf16 mixed
/// precision the network runs on a bfloat16 working copy and the loss in fp32.
/// </summary>
public sealed class DdpmImageLoss : IImageLoss
{
    private readonly UNet _model;
    private readonly UNet? _working;
    private readonly GaussianDiffusion _diffusion;

    public DdpmImageLoss(ImageDdpmConfig config, UNet model, Device device)
    {
        _model = model;
        MixedPrecision = config.Precision == TrainingPrecision.Bf16 ? new MixedPrecision(model, new UNet(config.Network).to(device)) : null;
        _working = (UNet?)MixedPrecision?.Working;
        _diffusion = new GaussianDiffusion(new NoiseSchedule(config.Schedule, device));
    }

    public MixedPrecision? MixedPrecision { get; }

    public Tensor Loss(Tensor x0, Generator rng) =>
        _working is null
            ? _diffusion.LossSimple((x, t) => _model.call(x, t), x0, rng)
            : _diffusion.LossSimple((x, t) => MixedPrecision.ToMaster(_working.call(MixedPrecision!.ToWorking(x), t)), x0, rng); // bf16, fp32 loss

    public void Dispose()
    {
        _diffusion.Dispose();
        MixedPrecision?.Dispose();
    }
}
