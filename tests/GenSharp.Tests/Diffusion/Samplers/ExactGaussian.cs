using GenSharp.Diffusion;
using static TorchSharp.torch;

namespace GenSharp.Tests.Diffusion.Samplers;

/// <summary>
/// Data x_0 ~ N(mu, diag(s^2)) and its exact quantities: the optimal noise predictor
///   eps*(x_t, t) = sqrt(1 - abar_t) (x_t - sqrt(abar_t) mu) / (abar_t s^2 + 1 - abar_t)
/// (E[eps | x_t] for jointly Gaussian eps, x_t), and the exact solution of the probability-flow ODE from
/// x at abar to abar = 1. The marginal at abar is N(sqrt(abar) mu, v), v = abar s^2 + 1 - abar; the ODE's
/// flow is affine per dimension and maps marginal to marginal, so it keeps the standardised value:
///   x_0 = mu + s (x - sqrt(abar) mu) / sqrt(v).
/// </summary>
internal sealed class ExactGaussian(float[] mu, float[] s)
{
    /// <summary>The few-step solvers' test data: means 1, -2, 0.5, 0 and standard deviations 0.5, 2, 1, 0.1.</summary>
    public static ExactGaussian FourDimensional { get; } = new([1f, -2f, 0.5f, 0f], [0.5f, 2f, 1f, 0.1f]);

    /// <summary>The default linear schedule, T = 1000.</summary>
    public static GaussianDiffusion Linear() => new(new NoiseSchedule(new NoiseScheduleConfig()));

    public float[] Mu { get; } = mu;
    public float[] S { get; } = s;
    public int Dims => Mu.Length;

    public Func<Tensor, Tensor, Tensor> EpsModel(NoiseSchedule schedule) => AncestralSamplerTests.ExactEps(schedule, Mu, S);

    /// <summary>The PF-ODE solution x_0 for start points <paramref name="x"/> ([N, d]) at abar.</summary>
    public Tensor OdeSolution(Tensor x, double abar)
    {
        using var scope = NewDisposeScope();
        var m = tensor(Mu, dtype: ScalarType.Float64).unsqueeze(0);
        var sd = tensor(S, dtype: ScalarType.Float64).unsqueeze(0);
        var v = abar * sd.pow(2) + (1 - abar);
        return (m + sd * (x.to_type(ScalarType.Float64) - Math.Sqrt(abar) * m) / v.sqrt()).MoveToOuterDisposeScope();
    }

    /// <summary>The PF-ODE map run forwards: x at abar from x_0.</summary>
    public Tensor OdeEncoding(Tensor x0, double abar)
    {
        using var scope = NewDisposeScope();
        var m = tensor(Mu, dtype: ScalarType.Float64).unsqueeze(0);
        var sd = tensor(S, dtype: ScalarType.Float64).unsqueeze(0);
        var v = abar * sd.pow(2) + (1 - abar);
        return (Math.Sqrt(abar) * m + v.sqrt() * (x0.to_type(ScalarType.Float64) - m) / sd).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Mean and standard deviation of x_0 when x ~ N(0, I) at abar is pushed through the exact ODE map:
    /// mu - s sqrt(abar) mu / sqrt(v) and s / sqrt(v) (the data's mu and s up to the start's mismatch).
    /// </summary>
    public (double[] Mean, double[] Std) TargetFromStandardNormal(double abar)
    {
        var mean = new double[Dims];
        var std = new double[Dims];
        for (int d = 0; d < Dims; d++)
        {
            double v = abar * S[d] * S[d] + 1 - abar;
            mean[d] = Mu[d] - S[d] * Math.Sqrt(abar) * Mu[d] / Math.Sqrt(v);
            std[d] = S[d] / Math.Sqrt(v);
        }
        return (mean, std);
    }

    /// <summary>
    /// RMS distance between sampler <paramref name="name"/>'s result from 4,000 standard normal start points (seed 4) and the exact
    /// probability-flow ODE solution from the same points.
    /// </summary>
    public double OdeError(GaussianDiffusion diffusion, string name, int steps, string spacing)
    {
        using var scope = NewDisposeScope();
        var xT = randn([4000, Dims], generator: new TorchSharp.torch.Generator(4, CPU));
        var sampler = GenSharp.Diffusion.Samplers.SamplerFactory.Create(name, diffusion, steps, spacing: spacing);
        var exact = OdeSolution(xT, diffusion.Schedule.AlphaBars[sampler.Table.Timesteps[0]]);
        return Rms(sampler.SampleFrom(EpsModel(diffusion.Schedule), xT, null).Samples, exact);
    }

    /// <summary>Root mean square difference of two [N, d] tensors.</summary>
    public static double Rms(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return (a.to_type(ScalarType.Float64) - b.to_type(ScalarType.Float64)).pow(2).mean().sqrt().item<double>();
    }
}
