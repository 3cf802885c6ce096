using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Evaluation;

/// <summary>
/// An inception-score-style classifier score: exp(E_x KL(p(y|x) || p(y))) from the feature classifier's
/// softmax, where p(y) is the mean prediction. High when each sample is confidently one class and the
/// classes are balanced (maximum = number of classes). The predicted-class histogram is returned too,
/// so mode collapse is visible directly.
/// </summary>
public static class ClassifierScore
{
    public static (double Score, double[] ClassHistogram) Compute(Tensor logits)
    {
        using var scope = NewDisposeScope();
        var logp = logits.to_type(ScalarType.Float64).log_softmax(1);      // (n, C)
        var p = logp.exp();
        var logMarginal = p.mean([0]).clamp_min(1e-30).log();                 // (C)
        double kl = (p * (logp - logMarginal.unsqueeze(0))).sum(1).mean().item<double>();
        var predicted = logp.argmax(1);
        var counts = bincount(predicted, minlength: (int)logits.shape[1]).to_type(ScalarType.Float64) / logits.shape[0];
        return (Math.Exp(kl), counts.data<double>().ToArray());
    }
}
