using static TorchSharp.torch;

namespace GenSharp.Gan.Losses;

/// <summary>
/// The hinge loss (Lim and Ye 2017; SAGAN, BigGAN):
/// L_D = mean relu(1 - D(x)) + mean relu(1 + D(G(z))),  L_G = -mean D(G(z)).
/// </summary>
public sealed class HingeLoss : IGanLoss
{
    public string Name => "hinge";
    public GanTrainingDefaults Defaults { get; } = new("adam", 2e-4, 0.5, 0.999, NCritic: 1, Batch: 64);
    public bool IsCritic => false;

    public Tensor DiscriminatorLoss(Tensor dReal, Tensor dFake) =>
        nn.functional.relu(1 - dReal).mean() + nn.functional.relu(1 + dFake).mean();

    public Tensor GeneratorLoss(Tensor dFake) => -dFake.mean();
}
