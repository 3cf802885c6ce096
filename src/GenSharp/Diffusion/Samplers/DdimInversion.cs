using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Diffusion.Samplers;

/// <summary>
/// DDIM inversion: the deterministic (eta = 0) DDIM map run backwards, encoding x_0 into the start noise
/// x_T from which <see cref="DdimSampler"/> with eta = 0 and the same table decodes (approximately) x_0
/// again (Song et al. 2021, §4.3 and §5.4: DDIM's latents are consistent, so they can be interpolated).
///
/// The table is walked in reverse: from level p = tau_{i-1} (p = -1: x_0 itself, abar = 1) up to
/// t = tau_i, with
///   eps      = eps_theta(x_p, p)          (eps_theta(x_0, t) on the first step: no model at abar = 1)
///   x0_hat   = (x_p - sqrt(1 - abar_p) eps) / sqrt(abar_p)
///   x_t      = sqrt(abar_t) x0_hat + sqrt(1 - abar_t) eps
/// i.e. an explicit Euler step of the probability-flow ODE in the encoding direction; the exact inverse
/// of DDIM's step would need eps_theta(x_t, t) at the unknown end point, so the round trip is exact only
/// as the number of steps grows (first-order error). One dispose scope per step.
/// </summary>
public sealed class DdimInversion
{
    private readonly double[] _abars;

    /// <param name="diffusion">The process (its schedule's abar_t).</param>
    /// <param name="steps">K, the table's number of steps; decode with a DDIM sampler of the same K and spacing.</param>
    /// <param name="spacing">The table's spacing (<see cref="TimestepTable.Spacings"/>).</param>
    /// <param name="stepsOffset">diffusers' steps_offset for "leading".</param>
    public DdimInversion(GaussianDiffusion diffusion, int steps = 50, string spacing = "trailing", int stepsOffset = 0)
    {
        Table = TimestepTable.Create(diffusion.Timesteps, steps, spacing, stepsOffset, alphaBars: diffusion.Schedule.AlphaBars);
        _abars = diffusion.Schedule.AlphaBars;
    }

    /// <summary>The table walked (in reverse).</summary>
    public TimestepTable Table { get; }

    /// <summary>
    /// Encodes <paramref name="x0"/> (not disposed) into x at index <c>Table.Timesteps[0]</c>. The result's
    /// trajectory holds, when asked for, the state reached at each recorded table index.
    /// </summary>
    public SamplerResult Invert(Func<Tensor, Tensor, Tensor> epsModel, Tensor x0, SamplingObserver? observer = null)
    {
        using var noGrad = no_grad();
        var clock = Stopwatch.StartNew();
        var trajectory = new Dictionary<int, Tensor>();
        var x = x0.clone().DetachFromDisposeScope();
        int K = Table.Steps;
        for (int i = K - 1; i >= 0; i--)
        {
            using var scope = NewDisposeScope();
            int target = Table.Timesteps[i], level = Table.Previous[i];
            double ap = level >= 0 ? _abars[level] : 1.0, at = _abars[target];
            var t = full([x.shape[0]], level >= 0 ? level : target, dtype: ScalarType.Int64, device: x.device);
            var eps = epsModel(x, t);
            var x0Hat = (x - Math.Sqrt(1 - ap) * eps) / Math.Sqrt(ap);
            var next = Math.Sqrt(at) * x0Hat + Math.Sqrt(1 - at) * eps;
            next.MoveToOuterDisposeScope();
            x.Dispose();
            x = next;
            if (observer?.ShouldRecord(target) == true) trajectory[target] = x.clone().DetachFromDisposeScope();
            observer?.Step(K - i, K);
        }
        return new SamplerResult(x, K, clock.Elapsed.TotalSeconds, trajectory);
    }
}
