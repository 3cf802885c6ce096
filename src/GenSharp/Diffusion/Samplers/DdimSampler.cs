using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Diffusion.Samplers;

/// <summary>
/// DDIM sampling (Song et al. 2021, eq. 12 and 16; docs/samplers.md#ddim) on a strided table tau (<see cref="TimestepTable"/>).
///
/// Notation, for a step from t = tau_i to its previous index p = tau_{i-1} (p = -1 means abar_p = 1, x_0):
///   x0_hat   = (x_t - sqrt(1 - abar_t) eps_theta(x_t, t)) / sqrt(abar_t)       ("predicted x_0")
///   sigma(eta) = eta sqrt((1 - abar_p) / (1 - abar_t)) sqrt(1 - abar_t / abar_p)
///   x_p      = sqrt(abar_p) x0_hat + sqrt(1 - abar_p - sigma^2) eps_theta + sigma z,   z ~ N(0, I)
/// eta = 0 is deterministic (a first-order solver of the probability-flow ODE, identical to a first-order
/// DPM-Solver++ step); eta = 1 on the full table T-1..0 gives sigma^2 = beta_tilde_t and x_p equal to
/// ancestral DDPM's mu_theta + sigma z (the same random numbers are drawn in the same order). The last step
/// lands on x_0 = x0_hat with sigma = 0 (no noise). With clipping, x0_hat is clamped to [-1, 1] and
/// eps_theta is re-derived from the clamped x0_hat (improved-diffusion / GLIDE), so x_p stays between.
/// Coefficients are computed in float64 once per table; one dispose scope per step.
/// </summary>
public sealed class DdimSampler : IDiffusionSampler
{
    private readonly DdimSamplerConfig _config;
    private readonly StepCoefficients[] _steps;

    /// <param name="start">T0: a table of the first T0 training steps, walked from x_T0 (early-stopped DDPM); null: all T.</param>
    public DdimSampler(GaussianDiffusion diffusion, DdimSamplerConfig? config = null, int? start = null)
    {
        _config = (config ?? new DdimSamplerConfig()).Validate();
        int steps = TimestepTable.Start(diffusion.Timesteps, start);
        Table = TimestepTable.Create(steps, _config.Steps, _config.Spacing, _config.StepsOffset,
            alphaBars: TimestepTable.AlphaBarsUpTo(diffusion.Schedule.AlphaBars, steps));
        var abars = diffusion.Schedule.AlphaBars;
        _steps = new StepCoefficients[Table.Steps];
        double etaMax = double.PositiveInfinity; // sigma(eta)^2 must not exceed 1 - abar_prev
        for (int i = 0; i < Table.Steps; i++)
        {
            double at = abars[Table.Timesteps[i]];
            double ap = Table.Previous[i] >= 0 ? abars[Table.Previous[i]] : 1.0;
            double sigmaPerEta2 = (1 - ap) / (1 - at) * (1 - at / ap);
            if (sigmaPerEta2 > 0) etaMax = Math.Min(etaMax, Math.Sqrt((1 - ap) / sigmaPerEta2));
            double sigma = _config.Eta * Math.Sqrt(sigmaPerEta2);
            double direction2 = Math.Max(1 - ap - sigma * sigma, 0); // >= -1e-16 rounding when eta <= etaMax
            _steps[i] = new StepCoefficients(Math.Sqrt(at), Math.Sqrt(1 - at), Math.Sqrt(ap), Math.Sqrt(direction2), sigma);
        }
        if (_config.Eta > etaMax * (1 + 1e-12))
            throw new ConfigException(
                $"--eta {_config.Eta}: too large for this {Table.Spacing} table of {Table.Steps} steps (a step would need sigma^2 > 1 - " +
                $"abar_prev); use --eta <= {etaMax:G4}");
    }

    public string Name => $"ddim ({Table.Steps} {Table.Spacing} steps, eta {_config.Eta}{(_config.ClipX0 ? ", x0 clipped" : "")})";

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
        if (_config.Eta > 0 && generator is null)
            throw new ArgumentNullException(nameof(generator), "DDIM with eta > 0 draws noise: pass a generator");
        using var noGrad = no_grad();
        var clock = Stopwatch.StartNew();
        var trajectory = new Dictionary<int, Tensor>();
        var x = xT.clone().DetachFromDisposeScope(); // the caller keeps xT
        int K = Table.Steps;
        for (int i = 0; i < K; i++)
        {
            int ti = Table.Timesteps[i];
            if (observer?.ShouldRecord(ti) == true) trajectory[ti] = x.clone().DetachFromDisposeScope();
            using var scope = NewDisposeScope();
            var c = _steps[i];
            var t = full([x.shape[0]], ti, dtype: ScalarType.Int64, device: x.device);
            var eps = epsModel(x, t);
            var x0 = (x - c.SqrtOneMinusAbarT * eps) / c.SqrtAbarT;
            if (_config.ClipX0)
            {
                x0 = x0.clamp(-1, 1);
                eps = (x - c.SqrtAbarT * x0) / c.SqrtOneMinusAbarT;
            }
            var next = c.SqrtAbarPrev * x0 + c.Direction * eps;
            if (_config.Eta > 0 && Table.Previous[i] >= 0)
                next = next + c.Sigma * randn(x.shape, dtype: x.dtype, device: x.device, generator: generator);
            next.MoveToOuterDisposeScope();
            x.Dispose();
            x = next;
            observer?.Step(i + 1, K);
        }
        return new SamplerResult(x, K, clock.Elapsed.TotalSeconds, trajectory);
    }

    private readonly record struct StepCoefficients(double SqrtAbarT, double SqrtOneMinusAbarT, double SqrtAbarPrev, double Direction, double Sigma);
}
