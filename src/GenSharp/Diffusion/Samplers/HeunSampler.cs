using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Diffusion.Samplers;

/// <summary>
/// EDM's deterministic sampler (Karras et al. 2022, "Elucidating the design space of diffusion-based generative models",
/// Algorithm 1: Heun's second-order method on the probability-flow ODE, no churn) on Karras et al.'s noise levels
/// (<see cref="TimestepTable.Karras"/>, rho = 7) of a discrete DDPM schedule, as k-diffusion's sample_heun with a
/// DiscreteEpsDDPMDenoiser; docs/samplers.md#heun.
///
/// Notation: sigma = sqrt((1 - abar) / abar) is EDM's noise level, y = x / sqrt(abar) = x_0 + sigma eps the state of EDM's
/// ODE dy/dsigma = (y - D(y, sigma)) / sigma = eps_theta (the network's noise prediction at the timestep whose sigma it is).
/// A step from sigma_i to sigma_{i+1}, dsigma = sigma_{i+1} - sigma_i:
///   Euler:  y' = y_i + dsigma eps_theta(x_i, t_i)                       (the DDIM step)
///   Heun:   y_{i+1} = y_i + dsigma (eps_theta(x_i, t_i) + eps_theta(x', t_{i+1})) / 2,   x' = sqrt(abar_{i+1}) y'
/// The last step lands on sigma = 0 and is the Euler step alone (EDM's Algorithm 1, line 6): 2K - 1 network evaluations for K
/// steps, which <see cref="FunctionEvaluations"/> and the registry report. The state between steps is the VP x = sqrt(abar) y, as
/// every other sampler's (observers record it). With clipping, the data prediction y - sigma eps is clamped to [-1, 1] and eps
/// re-derived from it. Coefficients in float64; one dispose scope per step.
/// </summary>
public sealed class HeunSampler : IDiffusionSampler
{
    private readonly HeunSamplerConfig _config;
    private readonly StepCoefficients[] _steps;

    /// <param name="start">T0: a table of the first T0 training steps, walked from x_T0 (early-stopped DDPM); null: all T.</param>
    public HeunSampler(GaussianDiffusion diffusion, HeunSamplerConfig? config = null, int? start = null)
    {
        _config = (config ?? new HeunSamplerConfig()).Validate();
        int steps = TimestepTable.Start(diffusion.Timesteps, start);
        Table = TimestepTable.Create(steps, _config.Steps, TimestepTable.Karras,
            alphaBars: TimestepTable.AlphaBarsUpTo(diffusion.Schedule.AlphaBars, steps));
        var abars = diffusion.Schedule.AlphaBars;
        _steps = new StepCoefficients[Table.Steps];
        for (int i = 0; i < Table.Steps; i++)
        {
            int s = Table.Timesteps[i], t = Table.Previous[i];
            double abarT = t >= 0 ? abars[t] : 1.0;
            double sigmaS = Math.Sqrt((1 - abars[s]) / abars[s]), sigmaT = Math.Sqrt((1 - abarT) / abarT);
            _steps[i] = new StepCoefficients(Math.Sqrt(abars[s]), sigmaS, Math.Sqrt(abarT), sigmaT);
        }
    }

    public string Name => $"heun ({Table.Steps} karras steps, {FunctionEvaluations} evaluations{(_config.ClipX0 ? ", x0 clipped" : "")})";

    public TimestepTable Table { get; }

    public int FunctionEvaluations => HeunSamplerConfig.Evaluations(Table.Steps);

    public SamplerResult SampleFrom(Func<Tensor, Tensor, Tensor> epsModel, Tensor xT, Generator? generator, SamplingObserver? observer = null) =>
        SamplingLoop.Run(Table, xT, observer, FunctionEvaluations, (i, x) =>
        {
            var c = _steps[i];
            var y = x / c.SqrtAbarS;
            var eps = Eps(epsModel(x, SamplingLoop.Timesteps(x, Table.Timesteps[i])), y, c.SigmaS);
            var euler = y + (c.SigmaT - c.SigmaS) * eps;
            if (Table.Previous[i] < 0) return euler;                             // onto sigma = 0: x_0 = y', abar = 1
            var x2 = c.SqrtAbarT * euler;
            var eps2 = Eps(epsModel(x2, SamplingLoop.Timesteps(x, Table.Previous[i])), euler, c.SigmaT);
            return c.SqrtAbarT * (y + (c.SigmaT - c.SigmaS) * 0.5 * (eps + eps2));
        });

    /// <summary>The network's eps, or with clipping the eps of the clamped data prediction y - sigma eps.</summary>
    private Tensor Eps(Tensor eps, Tensor y, double sigma) => _config.ClipX0 ? (y - (y - sigma * eps).clamp(-1, 1)) / sigma : eps;

    private readonly record struct StepCoefficients(double SqrtAbarS, double SigmaS, double SqrtAbarT, double SigmaT);
}
