using System.Diagnostics;
using GenSharp.Diffusion.Samplers;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Score.Samplers;

/// <summary>
/// Annealed Langevin dynamics (Song &amp; Ermon 2019, Algorithm 1; docs/score-models.md#annealed-langevin).
///
/// Notation: x_0 given (e.g. uniform noise); for i = 1..L:
///   alpha_i = eps sigma_i^2 / sigma_L^2
///   for t = 1..T:  x_t = x_{t-1} + alpha_i s_theta(x_{t-1}, sigma_i) + sqrt(2 alpha_i) z_t
///   x_0 = x_T (carried to the next level)
/// then optionally (NCSNv2) the denoising step x = x + sigma_L^2 s_theta(x, sigma_L), Tweedie's E[x | x~].
/// The score is any <see cref="NoiseConditionalScore"/>: the 2D ScoreNet, an image U-Net, an exact score.
/// The observer records the state by global step index k (0 = start, i*T = the end of level i) and gets
/// progress (k, L*T). One dispose scope per step; the caller owns x0 and every returned tensor.
/// </summary>
public sealed class AnnealedLangevinDynamics(AnnealedLangevinConfig config)
{
    private readonly AnnealedLangevinConfig _config = config.Validate();

    public AnnealedLangevinConfig Config => _config;

    public SamplerResult Run(NoiseConditionalScore score, Tensor x0, Generator generator, SamplingObserver? observer = null)
    {
        using var noGrad = no_grad();
        var clock = Stopwatch.StartNew();
        int levels = _config.Sigmas.Length, T = _config.StepsPerLevel, total = levels * T;
        var trajectory = new Dictionary<int, Tensor>();
        var x = x0.clone();
        int k = 0;
        for (int i = 0; i < levels; i++)
        {
            double alpha = _config.StepSize(i), c = _config.Noise.Scale(alpha);
            using var sigma = full([x.shape[0]], _config.Sigmas[i], dtype: x.dtype, device: x.device);
            for (int t = 0; t < T; t++, k++)
            {
                if (observer?.ShouldRecord(k) == true) trajectory[k] = x.clone();
                using var scope = NewDisposeScope();
                var next = x + alpha * score(x, sigma);
                if (c > 0) next = next + c * randn(x.shape, dtype: x.dtype, device: x.device, generator: generator);
                next.MoveToOuterDisposeScope();
                x.Dispose();
                x = next;
                observer?.Step(k + 1, total);
            }
        }
        if (observer?.ShouldRecord(total) == true) trajectory[total] = x.clone();
        if (_config.FinalDenoise)
        {
            using var scope = NewDisposeScope();
            double sL = _config.Sigmas[^1];
            var sigma = full([x.shape[0]], sL, dtype: x.dtype, device: x.device);
            var denoised = (x + sL * sL * score(x, sigma)).MoveToOuterDisposeScope();
            x.Dispose();
            x = denoised;
        }
        return new SamplerResult(x, _config.FunctionEvaluations, clock.Elapsed.TotalSeconds, trajectory);
    }
}
