using GenSharp.Pipelines;
using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Vdm;

/// <summary>
/// A VDM's training loss (docs/vdm.md#loss): the whole variational bound in bits/dim on a batch of 8-bit images in [-1, 1], with the
/// diffusion term in continuous time (L_inf, epsilon form) at low-discrepancy times. A learned schedule is trained by the same loss and
/// optimiser (its interior only moves the estimator's variance, its endpoints the prior and reconstruction terms), or with
/// <c>--variance-gradient</c> on the variance of the diffusion term (<see cref="VdmObjective.BitsPerDimWithVarianceGradient"/>).
/// </summary>
public sealed class VdmImageLoss(VdmNetwork model, bool varianceGradient = false) : IImageLoss
{
    private readonly VdmObjective _objective = new(model.Schedule, (z, g) => model.call(z, g));

    public MixedPrecision? MixedPrecision => null;

    public Tensor Loss(Tensor x, Generator rng) =>
        varianceGradient ? _objective.BitsPerDimWithVarianceGradient(x, rng) : _objective.BitsPerDim(x, rng);

    public void Dispose() { }
}
