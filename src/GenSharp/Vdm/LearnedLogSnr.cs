using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GenSharp.Vdm;

/// <summary>
/// The learned log-SNR schedule of Kingma et al. 2021 (appendix H.1; docs/vdm.md#schedules): a monotone network with positive weights
/// (absolute values of its parameters), normalised to meet its endpoints exactly:
///   gamma~(t) = |a| t + (1/H) sum_k |w3_k| (2 sigmoid(|w2_k| (2t - 1) + b2_k) - 1),
///   gamma(t)  = gamma_0 + (gamma_1 - gamma_0) (gamma~(t) - gamma~(0)) / (gamma~(1) - gamma~(0)),
///   gamma'(t) = (gamma_1 - gamma_0) gamma~'(t) / (gamma~(1) - gamma~(0)),
///   gamma~'(t) = |a| + (1/H) sum_k |w3_k| 4 |w2_k| s_k (1 - s_k),  s_k = sigmoid(|w2_k| (2t - 1) + b2_k).
/// Every term of gamma~ is non-decreasing in t and |a| &gt; 0 at initialisation, so gamma is monotone. The endpoints are fixed, or
/// learned (<c>gamma_0</c> and <c>gamma_range_log</c> = log(gamma_1 - gamma_0), so that gamma_1 &gt; gamma_0 always).
/// </summary>
public sealed class LearnedLogSnr : LogSnrSchedule
{
    private readonly Parameter l1_weight;
    private readonly Parameter l2_weight;
    private readonly Parameter l2_bias;
    private readonly Parameter l3_weight;
    private readonly Parameter? gamma_0;
    private readonly Parameter? gamma_range_log;
    private readonly double _gamma0, _gamma1;

    /// <param name="hidden">H, the width of the monotone network's hidden layer (1024 in the paper).</param>
    public LearnedLogSnr(double gamma0, double gamma1, int hidden, bool learnEndpoints) : base(nameof(LearnedLogSnr))
    {
        if (hidden < 1) throw new ConfigException($"learned schedule width {hidden}: must be at least 1");
        (_gamma0, _gamma1) = (gamma0, gamma1);
        l1_weight = new Parameter(tensor(new float[] { (float)(gamma1 - gamma0) }));   // the linear part: starts as the linear schedule
        l2_weight = new Parameter(randn(hidden));
        l2_bias = new Parameter(zeros(hidden));
        l3_weight = new Parameter(randn(hidden));
        if (learnEndpoints)
        {
            gamma_0 = new Parameter(tensor(new float[] { (float)gamma0 }));
            gamma_range_log = new Parameter(tensor(new float[] { (float)Math.Log(gamma1 - gamma0) }));
        }
        RegisterComponents();
    }

    /// <summary>Whether gamma_0 and gamma_1 are parameters.</summary>
    public bool LearnsEndpoints => gamma_0 is not null;

    public override Tensor Gamma(Tensor t)
    {
        using var scope = NewDisposeScope();
        var (g0, range) = EndpointTensors();
        var ends = Tilde(tensor(new float[] { 0f, 1f }, device: t.device));
        var normalised = (Tilde(t) - ends[0]) / (ends[1] - ends[0]);
        return (g0 + range * normalised).MoveToOuterDisposeScope();
    }

    public override Tensor Derivative(Tensor t)
    {
        using var scope = NewDisposeScope();
        var (_, range) = EndpointTensors();
        var ends = Tilde(tensor(new float[] { 0f, 1f }, device: t.device));
        var s = Hidden(t);                                                                        // (B, H)
        var slope = l1_weight.abs() + (l3_weight.abs() * 4 * l2_weight.abs() * s * (1 - s)).mean([1]); // gamma~'(t), (B)
        return (range * slope / (ends[1] - ends[0])).reshape(t.shape).MoveToOuterDisposeScope();
    }

    private (Tensor Gamma0, Tensor Range) EndpointTensors() => gamma_0 is not null
        ? (gamma_0, gamma_range_log!.exp())
        : (tensor((float)_gamma0, device: l1_weight.device), tensor((float)(_gamma1 - _gamma0), device: l1_weight.device));

    /// <summary>sigmoid(|w2| (2t - 1) + b2), (B, H) for t of any shape (flattened).</summary>
    private Tensor Hidden(Tensor t) => sigmoid((2 * t.reshape(-1, 1) - 1) * l2_weight.abs() + l2_bias);

    /// <summary>gamma~(t), shaped like t.</summary>
    private Tensor Tilde(Tensor t) =>
        (t.reshape(-1) * l1_weight.abs() + (l3_weight.abs() * (2 * Hidden(t) - 1)).mean([1])).reshape(t.shape);
}
