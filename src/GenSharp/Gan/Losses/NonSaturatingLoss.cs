using static TorchSharp.torch;

namespace GenSharp.Gan.Losses;

/// <summary>
/// The non-saturating GAN (Goodfellow et al. 2014), in the numerically stable log-sigmoid form:
/// L_D = -mean log sigma(D(x)) - mean log sigma(-D(G(z))),  L_G = -mean log sigma(D(G(z))).
/// Adam lr 2e-4, betas (0.5, 0.999), one discriminator step per generator step (DCGAN settings).
/// </summary>
public sealed class NonSaturatingLoss : IGanLoss
{
    public string Name => "ns";
    public GanTrainingDefaults Defaults { get; } = new("adam", 2e-4, 0.5, 0.999, NCritic: 1, Batch: 64);
    public bool IsCritic => false;

    public Tensor DiscriminatorLoss(Tensor dReal, Tensor dFake) =>
        -nn.functional.logsigmoid(dReal).mean() - nn.functional.logsigmoid(-dFake).mean();

    public Tensor GeneratorLoss(Tensor dFake) => -nn.functional.logsigmoid(dFake).mean();
}
