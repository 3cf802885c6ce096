using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Diffusion;

/// <summary>
/// Every per-step coefficient of the forward process and its posterior, computed once in float64
/// (exposed as arrays for tests and closed forms) and stored as float32 tensors on the device.
///
/// Timestep convention: index <c>t</c> in 0..T-1 is the paper's step t+1, so
/// <c>AlphaBars[0] = alpha_1</c> and <c>AlphaBarsPrev[0] = abar_0 = 1</c>.
///
/// Notation (docs/ddpm.md#forward-process): beta_t; alpha_t = 1 - beta_t; abar_t = prod_{s&lt;=t} alpha_s;
/// posterior q(x_{t-1} | x_t, x_0) = N(coef1 x_0 + coef2 x_t, beta_tilde_t I) with
/// coef1 = sqrt(abar_{t-1}) beta_t / (1 - abar_t), coef2 = sqrt(alpha_t) (1 - abar_{t-1}) / (1 - abar_t),
/// beta_tilde_t = (1 - abar_{t-1}) / (1 - abar_t) beta_t.
/// </summary>
public sealed class NoiseSchedule : IDisposable
{
    private readonly List<Tensor> _owned = [];

    public NoiseSchedule(NoiseScheduleConfig config, Device? device = null)
    {
        Config = config.Validate();
        Device = device ?? CPU;
        int T = config.Timesteps;
        Betas = config.Kind == "cosine" ? CosineBetas(config) : LinearBetas(config);
        Alphas = new double[T];
        AlphaBars = new double[T];
        AlphaBarsPrev = new double[T];
        PosteriorVariance = new double[T];
        PosteriorLogVarianceClipped = new double[T];
        PosteriorMeanCoef1 = new double[T];
        PosteriorMeanCoef2 = new double[T];
        double abar = 1;
        for (int t = 0; t < T; t++)
        {
            Alphas[t] = 1 - Betas[t];
            AlphaBarsPrev[t] = abar;
            abar *= Alphas[t];
            AlphaBars[t] = abar;
            PosteriorVariance[t] = (1 - AlphaBarsPrev[t]) / (1 - AlphaBars[t]) * Betas[t];
            PosteriorMeanCoef1[t] = Math.Sqrt(AlphaBarsPrev[t]) * Betas[t] / (1 - AlphaBars[t]);
            PosteriorMeanCoef2[t] = Math.Sqrt(Alphas[t]) * (1 - AlphaBarsPrev[t]) / (1 - AlphaBars[t]);
        }
        for (int t = 0; t < T; t++) // log variance clipped: the t = 0 posterior variance is 0
            PosteriorLogVarianceClipped[t] = Math.Log(T > 1 && t == 0 ? PosteriorVariance[1] : Math.Max(PosteriorVariance[t], 1e-20));

        BetasT = Own(Betas);
        AlphasT = Own(Alphas);
        AlphaBarsT = Own(AlphaBars);
        AlphaBarsPrevT = Own(AlphaBarsPrev);
        SqrtAlphaBarsT = Own(AlphaBars.Select(Math.Sqrt).ToArray());
        SqrtOneMinusAlphaBarsT = Own(AlphaBars.Select(a => Math.Sqrt(1 - a)).ToArray());
        PosteriorVarianceT = Own(PosteriorVariance);
        PosteriorLogVarianceClippedT = Own(PosteriorLogVarianceClipped);
        PosteriorMeanCoef1T = Own(PosteriorMeanCoef1);
        PosteriorMeanCoef2T = Own(PosteriorMeanCoef2);
    }

    public NoiseScheduleConfig Config { get; }
    public Device Device { get; }
    public int Timesteps => Config.Timesteps;

    public double[] Betas { get; }
    public double[] Alphas { get; }
    public double[] AlphaBars { get; }
    public double[] AlphaBarsPrev { get; }
    public double[] PosteriorVariance { get; }
    public double[] PosteriorLogVarianceClipped { get; }
    public double[] PosteriorMeanCoef1 { get; }
    public double[] PosteriorMeanCoef2 { get; }

    public Tensor BetasT { get; }
    public Tensor AlphasT { get; }
    public Tensor AlphaBarsT { get; }
    public Tensor AlphaBarsPrevT { get; }
    public Tensor SqrtAlphaBarsT { get; }
    public Tensor SqrtOneMinusAlphaBarsT { get; }
    public Tensor PosteriorVarianceT { get; }
    public Tensor PosteriorLogVarianceClippedT { get; }
    public Tensor PosteriorMeanCoef1T { get; }
    public Tensor PosteriorMeanCoef2T { get; }

    /// <summary>
    /// Picks <c>buffer[t_i]</c> for each sample and shapes it (B, 1, 1, ...) to broadcast against x.
    /// </summary>
    public static Tensor Gather(Tensor buffer, Tensor t, long[] xShape)
    {
        var shape = new long[xShape.Length];
        shape[0] = xShape[0];
        for (int i = 1; i < shape.Length; i++) shape[i] = 1;
        return buffer.index_select(0, t).reshape(shape);
    }

    private Tensor Own(double[] values)
    {
        var t = tensor(values, dtype: ScalarType.Float64).to_type(ScalarType.Float32).to(Device).DetachFromDisposeScope();
        _owned.Add(t);
        return t;
    }

    private static double[] LinearBetas(NoiseScheduleConfig c)
    {
        var b = new double[c.Timesteps];
        for (int i = 0; i < c.Timesteps; i++)
            b[i] = c.Timesteps == 1 ? c.BetaStart : c.BetaStart + (c.BetaEnd - c.BetaStart) * i / (c.Timesteps - 1);
        return b;
    }

    /// <summary>Nichol &amp; Dhariwal: abar(t) = f(t)/f(0), f(t) = cos^2(((t/T + s)/(1 + s)) pi/2), beta_t = min(1 - abar(t+1)/abar(t),
    /// max_beta).</summary>
    private static double[] CosineBetas(NoiseScheduleConfig c)
    {
        double F(double t) => Math.Pow(Math.Cos((t / c.Timesteps + c.CosineS) / (1 + c.CosineS) * Math.PI / 2), 2);
        var b = new double[c.Timesteps];
        for (int i = 0; i < c.Timesteps; i++)
            b[i] = Math.Min(1 - F(i + 1) / F(i), c.MaxBeta);
        return b;
    }

    public void Dispose()
    {
        foreach (var t in _owned) t.Dispose();
        _owned.Clear();
    }
}
