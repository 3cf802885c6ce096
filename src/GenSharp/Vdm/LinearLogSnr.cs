using static TorchSharp.torch;

namespace GenSharp.Vdm;

/// <summary>
/// The fixed linear log-SNR schedule gamma(t) = gamma_0 + (gamma_1 - gamma_0) t (Kingma et al. 2021, sec. 3.5; docs/vdm.md#schedules).
/// </summary>
public sealed class LinearLogSnr : LogSnrSchedule
{
    private readonly double _gamma0, _gamma1;

    public LinearLogSnr(double gamma0, double gamma1) : base(nameof(LinearLogSnr))
    {
        (_gamma0, _gamma1) = (gamma0, gamma1);
        RegisterComponents();
    }

    public override Tensor Gamma(Tensor t) => t * (_gamma1 - _gamma0) + _gamma0;

    public override Tensor Derivative(Tensor t) => full_like(t, _gamma1 - _gamma0);
}
