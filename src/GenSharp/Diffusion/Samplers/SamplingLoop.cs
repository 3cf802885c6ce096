using System.Diagnostics;
using static TorchSharp.torch;

namespace GenSharp.Diffusion.Samplers;

/// <summary>
/// The loop every deterministic few-step solver (DPM-Solver++, UniPC, EDM's Heun) walks over its <see cref="TimestepTable"/>:
/// under <c>no_grad</c>, from a clone of x_T (the caller keeps x_T), one dispose scope per step, the observer's recorded states
/// (x entering step i, keyed by its timestep index) and progress (in network evaluations), the wall time, and the
/// <see cref="SamplerResult"/> with the true
/// number of network evaluations. The solver's own step is <c>step(i, x)</c>: it returns x after step i, and moves out of the
/// step's scope (<c>MoveToOuterDisposeScope</c>) whatever history it keeps for later steps; the loop disposes the previous x.
/// </summary>
internal static class SamplingLoop
{
    public static SamplerResult Run(TimestepTable table, Tensor xT, SamplingObserver? observer, int evaluations, Func<int, Tensor, Tensor> step)
    {
        using var noGrad = no_grad();
        var clock = Stopwatch.StartNew();
        var trajectory = new Dictionary<int, Tensor>();
        var x = xT.clone().DetachFromDisposeScope();
        int K = table.Steps;
        for (int i = 0; i < K; i++)
        {
            int ti = table.Timesteps[i];
            if (observer?.ShouldRecord(ti) == true) trajectory[ti] = x.clone().DetachFromDisposeScope();
            using var scope = NewDisposeScope();
            var next = step(i, x).MoveToOuterDisposeScope();
            x.Dispose();
            x = next;
            observer?.Step((int)((long)(i + 1) * evaluations / K), evaluations); // progress in network evaluations (Heun: 2 per step)
        }
        return new SamplerResult(x, evaluations, clock.Elapsed.TotalSeconds, trajectory);
    }

    /// <summary>The int64 timestep batch of <paramref name="x"/>'s size at index <paramref name="index"/>.</summary>
    public static Tensor Timesteps(Tensor x, int index) => full([x.shape[0]], index, dtype: ScalarType.Int64, device: x.device);
}
