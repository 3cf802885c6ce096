using GenSharp.Diffusion.Conditioning;
using GenSharp.Nn;
using GenSharp.Pipelines;
using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Diffusion.Images;

/// <summary>
/// L_simple (docs/ddpm.md#model-and-loss): E || eps - eps_theta(sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps, t) ||^2 with t uniform; with bf16 mixed
/// precision the network runs on a bfloat16 working copy and the loss in fp32. A class-conditional run feeds the batch's labels, each
/// replaced by the null label with probability p_uncond first (<see cref="LabelDropout"/>, docs/ddpm.md#classifier-free-guidance).
/// </summary>
public sealed class DdpmImageLoss : IImageLoss
{
    private readonly UNet _model;
    private readonly UNet? _working;
    private readonly GaussianDiffusion _diffusion;
    private readonly ConditioningConfig? _conditioning;
    private readonly DdpmObjective _objective;

    public DdpmImageLoss(ImageDdpmConfig config, UNet model, Device device)
        : this(config.Schedule, config.Precision, config.Conditioning, model, device, config.Objective)
    {
    }

    /// <summary>
    /// L_simple of <paramref name="model"/> on any (N, C, H, W) data, e.g. an autoencoder's latents (docs/latent-diffusion.md), or the loss of
    /// another <paramref name="objective"/> (v-prediction, min-SNR weighting; docs/ddpm.md#objective).
    /// </summary>
    public DdpmImageLoss(NoiseScheduleConfig schedule, string precision, ConditioningConfig? conditioning, UNet model, Device device,
        DdpmObjective? objective = null)
    {
        _model = model;
        _objective = objective ?? new DdpmObjective();
        _conditioning = conditioning;
        MixedPrecision = precision == TrainingPrecision.Bf16
            ? new MixedPrecision(model, new UNet(model.Config, model.Classes).to(device))
            : null;
        _working = (UNet?)MixedPrecision?.Working;
        _diffusion = new GaussianDiffusion(new NoiseSchedule(schedule, device));
    }

    public MixedPrecision? MixedPrecision { get; }

    public Tensor Loss(Tensor x0, Generator rng) => Loss(x0, null, rng);

    public Tensor Loss(Tensor x0, Tensor? labels, Generator rng)
    {
        Tensor? y = null;
        if (_conditioning is { } c)
        {
            if (labels is null) throw new ConfigException("this run is class-conditional but its data have no labels; use labelled data");
            y = LabelDropout.Apply(labels, c.PUncond, c.NullLabel, rng);
        }
        return _working is null
            ? _objective.Loss(_diffusion, (x, t) => _model.Forward(x, t, y), x0, rng)
            : _objective.Loss(_diffusion, (x, t) => MixedPrecision.ToMaster(_working.Forward(MixedPrecision!.ToWorking(x), t, y)), x0, rng); // bf16
    }

    public void Dispose()
    {
        _diffusion.Dispose();
        MixedPrecision?.Dispose();
    }
}
