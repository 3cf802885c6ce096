using System.Diagnostics;
using GenSharp.Diffusion.Samplers;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Score.Samplers;

/// <summary>
/// Langevin dynamics with a fixed score (docs/score-models.md#langevin):
///   x_{k+1} = x_k + alpha s(x_k) + c z_k,  z_k ~ N(0, I),
/// with c = sqrt(2 alpha) (correct), sqrt(0.1 alpha) (the course's variant) or 0 (deterministic ascent
/// to a mode). For small alpha and many steps the correct chain samples p (up to O(alpha) bias).
/// The observer records x_k by step index k (0 = the start) and receives progress.
/// One dispose scope per step; the caller owns x0 and every returned tensor.
/// </summary>
public sealed class LangevinDynamics(LangevinConfig config)
{
    private readonly LangevinConfig _config = config.Validate();

    public SamplerResult Run(Func<Tensor, Tensor> score, Tensor x0, Generator generator, SamplingObserver? observer = null)
    {
        using var noGrad = no_grad();
        var clock = Stopwatch.StartNew();
        double alpha = _config.StepSize, c = _config.Noise.Scale(alpha);
        var trajectory = new Dictionary<int, Tensor>();
        var x = x0.clone();
        for (int k = 0; k < _config.Steps; k++)
        {
            if (observer?.ShouldRecord(k) == true) trajectory[k] = x.clone();
            using var scope = NewDisposeScope();
            var next = x + alpha * score(x);
            if (c > 0) next = next + c * randn(x.shape, dtype: x.dtype, device: x.device, generator: generator);
            next.MoveToOuterDisposeScope();
            x.Dispose();
            x = next;
            observer?.Step(k + 1, _config.Steps);
        }
        if (observer?.ShouldRecord(_config.Steps) == true) trajectory[_config.Steps] = x.clone();
        return new SamplerResult(x, _config.Steps, clock.Elapsed.TotalSeconds, trajectory);
    }
}
