using static TorchSharp.torch;

namespace GenSharp.Vdm;

/// <summary>
/// The cosine schedule (Nichol and Dhariwal 2021: alpha_t = cos(pi t / 2), so SNR = cot^2(pi t / 2)) in log-SNR form, truncated to
/// [gamma_0, gamma_1] by an affine map of t (docs/vdm.md#schedules):
///   gamma(t) = 2 log tan(u(t)),  u(t) = u_0 + (u_1 - u_0) t,  u_i = atan(exp(gamma_i / 2)),
///   gamma'(t) = 4 (u_1 - u_0) / sin(2 u(t)).
/// </summary>
public sealed class CosineLogSnr : LogSnrSchedule
{
    private readonly double _u0, _u1;

    public CosineLogSnr(double gamma0, double gamma1) : base(nameof(CosineLogSnr))
    {
        _u0 = Math.Atan(Math.Exp(gamma0 / 2));
        _u1 = Math.Atan(Math.Exp(gamma1 / 2));
        RegisterComponents();
    }

    public override Tensor Gamma(Tensor t)
    {
        using var scope = NewDisposeScope();
        return (2 * tan(t * (_u1 - _u0) + _u0).log()).MoveToOuterDisposeScope();
    }

    public override Tensor Derivative(Tensor t)
    {
        using var scope = NewDisposeScope();
        return (4 * (_u1 - _u0) / sin(2 * (t * (_u1 - _u0) + _u0))).MoveToOuterDisposeScope();
    }
}
