using static TorchSharp.torch;

namespace GenSharp.Gan.Losses;

/// <summary>
/// The saturating minimax GAN, for comparison: the discriminator's loss is the non-saturating one,
/// L_D = -mean log sigma(D(x)) - mean log sigma(-D(G(z))), and the generator minimises the same value
/// function, L_G = mean log(1 - sigma(D(G(z)))) = mean log sigma(-D(G(z))), whose gradient vanishes when
/// the discriminator confidently rejects the samples (early training).
/// </summary>
public sealed class MinimaxLoss : IGanLoss
{
    public string Name => "minimax";
    public GanTrainingDefaults Defaults { get; } = new("adam", 2e-4, 0.5, 0.999, NCritic: 1, Batch: 64);
    public bool IsCritic => false;

    public Tensor DiscriminatorLoss(Tensor dReal, Tensor dFake) =>
        -nn.functional.logsigmoid(dReal).mean() - nn.functional.logsigmoid(-dFake).mean();

    public Tensor GeneratorLoss(Tensor dFake) => nn.functional.logsigmoid(-dFake).mean();
}
