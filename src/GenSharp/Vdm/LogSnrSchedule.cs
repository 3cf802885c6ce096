using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Vdm;

/// <summary>
/// A noise schedule of a variational diffusion model as its log signal-to-noise ratio gamma(t) on t in [0, 1] (Kingma et al. 2021,
/// docs/vdm.md#schedules): increasing, gamma(0) = gamma_0 (little noise), gamma(1) = gamma_1 (almost pure noise), and
///   alpha_t^2 = sigmoid(-gamma(t)),  sigma_t^2 = sigmoid(gamma(t)),  SNR(t) = alpha_t^2 / sigma_t^2 = exp(-gamma(t)).
/// A module so that a learned schedule's parameters live beside the network's (one optimiser, EMA and checkpoints); the fixed
/// schedules have none.
/// </summary>
public abstract class LogSnrSchedule : nn.Module<Tensor, Tensor>
{
    protected LogSnrSchedule(string name) : base(name) { }

    /// <summary>gamma(t) for times (B) in [0, 1], in t's dtype.</summary>
    public override Tensor forward(Tensor t) => Gamma(t);

    /// <summary>gamma(t), element-wise.</summary>
    public abstract Tensor Gamma(Tensor t);

    /// <summary>gamma'(t) = d gamma / dt, element-wise, in closed form (differentiable in the schedule's parameters).</summary>
    public abstract Tensor Derivative(Tensor t);

    /// <summary>gamma(0) and gamma(1) as numbers (the learned endpoints' current values).</summary>
    public (double Gamma0, double Gamma1) Endpoints()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var g = Gamma(tensor(new float[] { 0f, 1f }, device: ParameterDevice())).to_type(ScalarType.Float64).data<double>().ToArray();
        return (g[0], g[1]);
    }

    /// <summary>The device the schedule's tensors live on (CPU for a schedule without parameters).</summary>
    private Device ParameterDevice() => parameters().FirstOrDefault()?.device ?? CPU;
}
