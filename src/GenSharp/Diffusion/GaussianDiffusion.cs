using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Diffusion;

/// <summary>
/// The Gaussian diffusion process of DDPM (docs/ddpm.md), separate from any network: forward
/// noising (closed form and one step), the posterior q(x_{t-1} | x_t, x_0), the model mean from a
/// noise prediction, and the L_simple loss.
///
/// Notation (index t is the paper's step t+1; see <see cref="NoiseSchedule"/>):
///   x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps                       (closed form, eq. 4 of Ho et al.)
///   x_t = sqrt(1 - beta_t) x_{t-1} + sqrt(beta_t) eps                   (one forward step)
///   x0_hat = (x_t - sqrt(1 - abar_t) eps_theta) / sqrt(abar_t)
///   mu_theta = 1/sqrt(alpha_t) (x_t - beta_t / sqrt(1 - abar_t) eps_theta)   (eq. 11)
///   L_simple = E_{t, x_0, eps} || eps - eps_theta(x_t, t) ||^2             (eq. 14)
/// Functions never dispose their arguments and always return new tensors.
/// </summary>
public sealed class GaussianDiffusion : IDisposable
{
    public GaussianDiffusion(NoiseSchedule schedule) => Schedule = schedule;

    /// <summary>The schedule this process owns.</summary>
    public NoiseSchedule Schedule { get; }

    public int Timesteps => Schedule.Timesteps;

    /// <summary>Closed-form forward sample x_t given x_0 and eps.</summary>
    public Tensor QSample(Tensor x0, Tensor t, Tensor noise)
    {
        using var scope = NewDisposeScope();
        var a = NoiseSchedule.Gather(Schedule.SqrtAlphaBarsT, t, x0.shape);
        var s = NoiseSchedule.Gather(Schedule.SqrtOneMinusAlphaBarsT, t, x0.shape);
        return (a * x0 + s * noise).MoveToOuterDisposeScope();
    }

    /// <summary>One forward step q(x_t | x_{t-1}) at index t.</summary>
    public Tensor QStep(Tensor xPrev, Tensor t, Tensor noise)
    {
        using var scope = NewDisposeScope();
        var beta = NoiseSchedule.Gather(Schedule.BetasT, t, xPrev.shape);
        return ((1 - beta).sqrt() * xPrev + beta.sqrt() * noise).MoveToOuterDisposeScope();
    }

    /// <summary>Mean, variance and clipped log-variance of q(x_{t-1} | x_t, x_0).</summary>
    public (Tensor Mean, Tensor Variance, Tensor LogVariance) QPosterior(Tensor x0, Tensor xt, Tensor t)
    {
        using var scope = NewDisposeScope();
        var c1 = NoiseSchedule.Gather(Schedule.PosteriorMeanCoef1T, t, xt.shape);
        var c2 = NoiseSchedule.Gather(Schedule.PosteriorMeanCoef2T, t, xt.shape);
        var mean = c1 * x0 + c2 * xt;
        var variance = NoiseSchedule.Gather(Schedule.PosteriorVarianceT, t, xt.shape).expand_as(xt).clone();
        var logVariance = NoiseSchedule.Gather(Schedule.PosteriorLogVarianceClippedT, t, xt.shape).expand_as(xt).clone();
        return (mean.MoveToOuterDisposeScope(), variance.MoveToOuterDisposeScope(), logVariance.MoveToOuterDisposeScope());
    }

    /// <summary>x0_hat from a noise prediction.</summary>
    public Tensor PredictX0FromEps(Tensor xt, Tensor t, Tensor eps)
    {
        using var scope = NewDisposeScope();
        var a = NoiseSchedule.Gather(Schedule.SqrtAlphaBarsT, t, xt.shape);
        var s = NoiseSchedule.Gather(Schedule.SqrtOneMinusAlphaBarsT, t, xt.shape);
        return ((xt - s * eps) / a).MoveToOuterDisposeScope();
    }

    /// <summary>mu_theta(x_t, t) = 1/sqrt(alpha_t) (x_t - beta_t / sqrt(1 - abar_t) eps).</summary>
    public Tensor PMeanFromEps(Tensor xt, Tensor t, Tensor eps)
    {
        using var scope = NewDisposeScope();
        var alpha = NoiseSchedule.Gather(Schedule.AlphasT, t, xt.shape);
        var beta = NoiseSchedule.Gather(Schedule.BetasT, t, xt.shape);
        var s = NoiseSchedule.Gather(Schedule.SqrtOneMinusAlphaBarsT, t, xt.shape);
        return ((xt - beta / s * eps) / alpha.sqrt()).MoveToOuterDisposeScope();
    }

    /// <summary>Uniform timestep indices in 0..T-1.</summary>
    public Tensor SampleTimesteps(long batch, Generator generator, Device? device = null) =>
        randint(0, Timesteps, [batch], dtype: ScalarType.Int64, device: device ?? Schedule.Device, generator: generator);

    /// <summary>
    /// L_simple: mean squared error between the noise and its prediction at a uniform random t,
    /// averaged over elements (the MSE of Ho et al.'s implementation).
    /// </summary>
    public Tensor LossSimple(Func<Tensor, Tensor, Tensor> epsModel, Tensor x0, Generator generator)
    {
        using var scope = NewDisposeScope();
        var t = SampleTimesteps(x0.shape[0], generator, x0.device);
        var eps = randn(x0.shape, dtype: x0.dtype, device: x0.device, generator: generator);
        var xt = QSample(x0, t, eps);
        var loss = nn.functional.mse_loss(epsModel(xt, t), eps);
        return loss.MoveToOuterDisposeScope();
    }

    public void Dispose() => Schedule.Dispose();
}
