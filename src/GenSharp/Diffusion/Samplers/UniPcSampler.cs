using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Diffusion.Samplers;

/// <summary>
/// UniPC (Zhao et al. 2023, "UniPC: a unified predictor-corrector framework for fast sampling of diffusion models"), the
/// bh2 variant in data prediction with order 2: diffusers' UniPCMultistepScheduler with its defaults (solver_order=2,
/// predict_x0=True, solver_type="bh2", lower_order_final=True, disable_corrector=[]); docs/samplers.md#unipc.
///
/// Notation as <see cref="DpmSolverPlusPlusSampler"/>'s: lambda = log(alpha / sigma), D_i = x0_hat(x_i, tau_i), a step from
/// s0 = tau_j to t = tau_{j+1} has h = lambda_t - lambda_s0 and r0 = (lambda_s0 - lambda_{tau_{j-1}}) / h.
///   Predictor UniP-2 with B(h) = e^h - 1 (bh2) is exactly DPM-Solver++(2M) (its rho_p = 1/2), so it is that sampler's step;
///   the first step and the last (onto sigma = 0) are first order.
///   Corrector UniC, applied to x_{j+1} once D_{j+1} = D(x_{j+1}, tau_{j+1}) is known, re-runs step j from x_j with D_{j+1}:
///     x_c = (sigma_t / sigma_s0) x_j + alpha_t (1 - e^{-h}) [D_j + rho_0 (D_{j-1} - D_j) / r_1 + rho_t (D_{j+1} - D_j)]
///   with r_1 = -r0 and (rho_0, rho_t) solving [[1, 1], [r_1, 1]] rho = (b_1, b_2), where, with hh = -h and phi = e^{hh} - 1,
///     b_1 = (phi / hh - 1) / phi,  b_2 = 2 ((phi / hh - 1) / hh - 1/2) / phi;
///   after a first-order step there is no D_{j-1} and rho_t = 1/2 (the trapezoidal rule). With equal steps and small h this is
///   the Adams-Moulton rule (5 D_{j+1} + 8 D_j - D_{j-1}) / 12.
/// The corrected x_{j+1} is the one the next predictor step starts from; D_{j+1} stays the model output at the uncorrected x_{j+1}
/// (no extra evaluation), as in the paper's Algorithm and diffusers. No corrector follows the last step: one network evaluation per
/// step. Coefficients in float64, once per table.
/// </summary>
public sealed class UniPcSampler : IDiffusionSampler
{
    private readonly UniPcSamplerConfig _config;
    private readonly DpmSolverPlusPlusSampler _predictor;
    private readonly CorrectorCoefficients[] _correctors; // [j]: corrects the result of step j, used at step j + 1

    /// <param name="start">T0: a table of the first T0 training steps, walked from x_T0 (early-stopped DDPM); null: all T.</param>
    public UniPcSampler(GaussianDiffusion diffusion, UniPcSamplerConfig? config = null, int? start = null)
    {
        _config = (config ?? new UniPcSamplerConfig()).Validate();
        _predictor = new DpmSolverPlusPlusSampler(diffusion, _config.Predictor, start);
        _correctors = new CorrectorCoefficients[Table.Steps];
        for (int j = 0; j + 1 < Table.Steps; j++)
        {
            var (ratio, a, order, h, r0) = _predictor.Coefficients(j);
            if (order == 1)
            {
                _correctors[j] = new CorrectorCoefficients(ratio, a / 2, Before: 0, Next: a / 2);
                continue;
            }
            double hh = -h, phi = Math.Exp(hh) - 1, r1 = -r0;
            double k1 = phi / hh - 1, b1 = k1 / phi, b2 = 2 * (k1 / hh - 0.5) / phi;
            double rho0 = (b1 - b2) / (1 - r1), rhoT = b1 - rho0;
            _correctors[j] = new CorrectorCoefficients(ratio, a * (1 - rhoT - rho0 / r1), a * rho0 / r1, a * rhoT);
        }
    }

    public string Name => $"unipc ({Table.Steps} {Table.Spacing} steps, bh2{(_config.ClipX0 ? ", x0 clipped" : "")})";

    public TimestepTable Table => _predictor.Table;

    public int FunctionEvaluations => Table.Steps;

    public SamplerResult SampleFrom(Func<Tensor, Tensor, Tensor> epsModel, Tensor xT, Generator? generator, SamplingObserver? observer = null)
    {
        Tensor? previousX = null, previousD = null, earlierD = null; // x_j (corrected), D_j and D_{j-1} for step j + 1 = i
        var result = SamplingLoop.Run(Table, xT, observer, Table.Steps, (i, x) =>
        {
            var d = _predictor.DataPrediction(i, x, epsModel(x, SamplingLoop.Timesteps(x, Table.Timesteps[i]))).MoveToOuterDisposeScope();
            var corrected = i == 0 ? x.alias() : Correct(_correctors[i - 1], previousX!, previousD!, earlierD, d);
            var next = _predictor.Step(i, corrected, d, previousD, earlierD);
            corrected.MoveToOuterDisposeScope();
            previousX?.Dispose();
            earlierD?.Dispose();
            previousX = corrected;
            earlierD = previousD;
            previousD = d;
            return next;
        });
        previousX?.Dispose();
        previousD?.Dispose();
        earlierD?.Dispose();
        return result;
    }

    private static Tensor Correct(CorrectorCoefficients c, Tensor xj, Tensor dj, Tensor? dBefore, Tensor dNext)
    {
        var x = c.SigmaRatio * xj + c.Current * dj + c.Next * dNext;
        return c.Before == 0 ? x : x + c.Before * dBefore!;
    }

    private readonly record struct CorrectorCoefficients(double SigmaRatio, double Current, double Before, double Next);
}
