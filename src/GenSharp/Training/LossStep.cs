using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Training;

/// <summary>
/// The single-optimiser step: zero-grad, loss (a function of the step returning a scalar tensor), backward, global
/// gradient-norm clip, optimiser step. With <see cref="MixedPrecision"/> the loss runs on its low-precision working copy:
/// the fp32 weights are copied into it before the loss and its gradients back to the fp32 model after backward, so that
/// clipping, the optimiser, the EMA and checkpoints only ever see fp32. Reports <c>loss</c> and <c>grad_norm</c>.
/// </summary>
public sealed class LossStep : ITrainingStep
{
    private readonly optim.Optimizer _optimizer;
    private readonly Func<long, Tensor> _loss;
    private readonly double _gradClip;
    private readonly MixedPrecision? _mixedPrecision;
    private readonly TorchSharp.Modules.Parameter[] _parameters;

    /// <param name="loss">Computes the scalar loss for a (0-based) step; called inside the step's dispose scope.</param>
    /// <param name="gradClip">Global gradient-norm clip; 0 disables.</param>
    public LossStep(nn.Module model, optim.Optimizer optimizer, Func<long, Tensor> loss, double gradClip, MixedPrecision? mixedPrecision = null)
    {
        _optimizer = optimizer;
        _loss = loss;
        _gradClip = gradClip;
        _mixedPrecision = mixedPrecision;
        _parameters = model.parameters().Where(p => p.requires_grad).ToArray();
        Optimizers = [new("main", optimizer)];
    }

    public IReadOnlyList<KeyValuePair<string, optim.Optimizer>> Optimizers { get; }

    public string DivergenceAdvice => "lower --lr or enable --grad-clip";

    public StepResult Run(long step)
    {
        using var scope = NewDisposeScope();
        _optimizer.zero_grad();
        _mixedPrecision?.CopyWeightsToWorking();
        var loss = _loss(step);
        double lossValue = loss.item<float>();
        if (!double.IsFinite(lossValue)) return StepResult.Of(("loss", lossValue)); // no update from a diverged loss
        loss.backward();
        _mixedPrecision?.CopyGradientsToMaster();
        double? gradNorm = _gradClip > 0 ? nn.utils.clip_grad_norm_(_parameters, _gradClip) : null;
        _optimizer.step();
        return StepResult.Of(("loss", lossValue), ("grad_norm", gradNorm));
    }
}
