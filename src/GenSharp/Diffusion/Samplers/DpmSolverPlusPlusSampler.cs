using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Diffusion.Samplers;

/// <summary>
/// DPM-Solver++(2M) and (3M): the multistep second- and third-order solvers of the probability-flow ODE in data prediction
/// (Lu et al. 2022, "DPM-Solver++", Algorithm 2 and its third-order multistep form; diffusers' DPMSolverMultistepScheduler with
/// algorithm_type="dpmsolver++", solver_order=2 or 3, solver_type="midpoint", final_sigmas_type="zero").
///
/// Notation (VP process): alpha_t = sqrt(abar_t), sigma_t = sqrt(1 - abar_t), lambda_t = log(alpha_t / sigma_t)
/// (half the log-SNR); the data prediction D_t = x0_hat(x_t, t) = (x_t - sigma_t eps_theta(x_t, t)) / alpha_t.
/// The table is <see cref="TimestepTable"/>'s multistep variant (DPMSolverMultistepScheduler's linspace and
/// leading, which never start a step at t = 0). A step from s0 = tau_i to t = tau_{i-1} (the table's
/// previous index; -1 means abar = 1, x_0), with the step before it from s1 = tau_{i+1}:
///   h = lambda_t - lambda_s0,  h_0 = lambda_s0 - lambda_s1,  r0 = h_0 / h
///   first order (DDIM):  x_t = (sigma_t / sigma_s0) x_s0 + alpha_t (1 - e^{-h}) D_s0
///   second order (2M):   the same with D = D_s0 + (D_s0 - D_s1) / (2 r0)
///   third order (3M), with the step before that from s2 = tau_{i+2}, h_1 = lambda_s1 - lambda_s2, r1 = h_1 / h:
///     D1_0 = (D_s0 - D_s1) / r0,  D1_1 = (D_s1 - D_s2) / r1
///     D1 = D1_0 + r0 / (r0 + r1) (D1_0 - D1_1),  D2 = (D1_0 - D1_1) / (r0 + r1)
///     x_t = (sigma_t / sigma_s0) x_s0 + alpha_t (1 - e^{-h}) D_s0 + alpha_t ((e^{-h} - 1) / h + 1) D1
///           - alpha_t ((e^{-h} - 1 + h) / h^2 - 1/2) D2
///   (computed as c0 D_s0 + c1 D_s1 + c2 D_s2 with the coefficients in float64).
/// The first step has no history and is first order; 3M's second step is second order. Below 15 steps the
/// step before the last is at most second order (diffusers' lower_order_final). The last step lands on sigma_t = 0 (lambda = +inf):
/// there e^{-h} = 0 and x_0 = D_s0, and the multistep correction (which grows like h) is undefined, so the
/// last step is always first order (what diffusers' lower_order_final / final_sigmas_type="zero" force).
/// e^{-h} is computed as (sigma_t alpha_s0) / (alpha_t sigma_s0), finite at sigma_t = 0. One network
/// evaluation per step; coefficients in float64; one dispose scope per step.
/// </summary>
public sealed class DpmSolverPlusPlusSampler : IDiffusionSampler
{
    private readonly DpmSolverPlusPlusSamplerConfig _config;
    private readonly StepCoefficients[] _steps;

    /// <param name="start">T0: a table of the first T0 training steps, walked from x_T0 (early-stopped DDPM); null: all T.</param>
    public DpmSolverPlusPlusSampler(GaussianDiffusion diffusion, DpmSolverPlusPlusSamplerConfig? config = null, int? start = null)
    {
        _config = (config ?? new DpmSolverPlusPlusSamplerConfig()).Validate();
        int steps = TimestepTable.Start(diffusion.Timesteps, start);
        Table = TimestepTable.Create(steps, _config.Steps, _config.Spacing, _config.StepsOffset, multistep: true,
            TimestepTable.AlphaBarsUpTo(diffusion.Schedule.AlphaBars, steps));
        var abars = diffusion.Schedule.AlphaBars;
        double Lambda(int index) => index < 0 ? double.PositiveInfinity : 0.5 * Math.Log(abars[index] / (1 - abars[index]));
        _steps = new StepCoefficients[Table.Steps];
        for (int i = 0; i < Table.Steps; i++)
        {
            int s0 = Table.Timesteps[i], t = Table.Previous[i];
            double alphaS = Math.Sqrt(abars[s0]), sigmaS = Math.Sqrt(1 - abars[s0]);
            double alphaT = t >= 0 ? Math.Sqrt(abars[t]) : 1.0, sigmaT = t >= 0 ? Math.Sqrt(1 - abars[t]) : 0.0;
            double expMinusH = sigmaT * alphaS / (alphaT * sigmaS);
            int order = t < 0 ? 1 : Math.Min(Math.Min(_config.Order, i + 1), Table.Steps < 15 && i == Table.Steps - 2 ? 2 : 3);
            double halfOverR0 = 0, c1 = 0, c2 = 0, a = alphaT * (1 - expMinusH), c0 = a;
            double h = Lambda(t) - Lambda(s0), r0 = i > 0 ? (Lambda(s0) - Lambda(Table.Timesteps[i - 1])) / h : 0;
            if (order >= 2)
            {
                halfOverR0 = 0.5 / r0;
                if (order == 3)
                {
                    double r1 = (Lambda(Table.Timesteps[i - 1]) - Lambda(Table.Timesteps[i - 2])) / h;
                    double b = alphaT * ((expMinusH - 1) / h + 1), c = alphaT * ((expMinusH - 1 + h) / (h * h) - 0.5);
                    double p = r0 / (r0 + r1), q = 1 / (r0 + r1);
                    c0 = a + b * (1 + p) / r0 - c * q / r0;
                    c1 = -b * ((1 + p) / r0 + p / r1) + c * q * (1 / r0 + 1 / r1);
                    c2 = b * p / r1 - c * q / r1;
                }
            }
            _steps[i] = new StepCoefficients(alphaS, sigmaS, sigmaT / sigmaS, a, order, halfOverR0, c0, c1, c2, h, r0);
        }
    }

    public string Name => $"dpmpp-{_config.Order}m ({Table.Steps} {Table.Spacing} steps{(_config.ClipX0 ? ", x0 clipped" : "")})";

    public TimestepTable Table { get; }

    public int FunctionEvaluations => Table.Steps;

    public SamplerResult Sample(Func<Tensor, Tensor, Tensor> epsModel, long[] shape, Generator generator, Device device,
        SamplingObserver? observer = null)
    {
        using var xT = randn(shape, dtype: ScalarType.Float32, device: device, generator: generator);
        return SampleFrom(epsModel, xT, generator, observer);
    }

    public SamplerResult SampleFrom(Func<Tensor, Tensor, Tensor> epsModel, Tensor xT, Generator? generator, SamplingObserver? observer = null)
    {
        Tensor? previousD = null, earlierD = null; // D_s1 and D_s2, the data predictions of the two steps before
        var result = SamplingLoop.Run(Table, xT, observer, Table.Steps, (i, x) =>
        {
            var d0 = DataPrediction(i, x, epsModel(x, SamplingLoop.Timesteps(x, Table.Timesteps[i]))).MoveToOuterDisposeScope();
            var next = Step(i, x, d0, previousD, earlierD);
            earlierD?.Dispose();
            earlierD = previousD;
            previousD = d0;
            return next;
        });
        previousD?.Dispose();
        earlierD?.Dispose();
        return result;
    }

    /// <summary>D = x0_hat(x, tau_i) = (x - sigma_s0 eps) / alpha_s0, clipped to [-1, 1] when the config says so.</summary>
    internal Tensor DataPrediction(int i, Tensor x, Tensor eps)
    {
        var d = (x - _steps[i].SigmaS * eps) / _steps[i].AlphaS;
        return _config.ClipX0 ? d.clamp(-1, 1) : d;
    }

    /// <summary>
    /// Step i from x at tau_i with its data prediction <paramref name="d0"/> and those of the two steps before (null while absent).
    /// </summary>
    internal Tensor Step(int i, Tensor x, Tensor d0, Tensor? previousD, Tensor? earlierD)
    {
        var c = _steps[i];
        return c.Order switch
        {
            1 => c.SigmaRatio * x + c.DataCoefficient * d0,
            2 => c.SigmaRatio * x + c.DataCoefficient * (d0 + c.HalfOverR0 * (d0 - previousD!)),
            _ => c.SigmaRatio * x + c.C0 * d0 + c.C1 * previousD! + c.C2 * earlierD!,
        };
    }

    /// <summary>
    /// Step i's first-order part (x_t = SigmaRatio x_s0 + DataCoefficient D), its order, h = lambda_t - lambda_s0 and r0 = h_0 / h
    /// (0 on the first step): what UniPC's corrector re-uses (<see cref="UniPcSampler"/>).
    /// </summary>
    internal (double SigmaRatio, double DataCoefficient, int Order, double H, double R0) Coefficients(int i) =>
        (_steps[i].SigmaRatio, _steps[i].DataCoefficient, _steps[i].Order, _steps[i].H, _steps[i].R0);

    private readonly record struct StepCoefficients(double AlphaS, double SigmaS, double SigmaRatio, double DataCoefficient, int Order,
        double HalfOverR0, double C0, double C1, double C2, double H, double R0);
}
