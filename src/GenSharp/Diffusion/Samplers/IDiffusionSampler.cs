using static TorchSharp.torch;

namespace GenSharp.Diffusion.Samplers;

/// <summary>
/// A reverse-process sampler driven by any noise predictor eps_theta(x_t, t) (t: int64 timestep indices
/// 0..T-1, see <see cref="NoiseSchedule"/>). Implementations: ancestral DDPM, DDIM, DPM-Solver++(2M, 3M), UniPC, EDM's Heun;
/// pick one by name with <see cref="SamplerRegistry"/>.
/// </summary>
public interface IDiffusionSampler
{
    /// <summary>A short description, e.g. "ddim (50 trailing steps, eta 0)".</summary>
    string Name { get; }

    /// <summary>The timestep table this sampler walks.</summary>
    TimestepTable Table { get; }

    /// <summary>Network evaluations per call of <see cref="Sample"/> (one per step for every sampler here).</summary>
    int FunctionEvaluations { get; }

    /// <summary>Draws x_T ~ N(0, I) of <paramref name="shape"/> from <paramref name="generator"/>, then runs <see cref="SampleFrom"/>.</summary>
    SamplerResult Sample(Func<Tensor, Tensor, Tensor> epsModel, long[] shape, Generator generator, Device device, SamplingObserver? observer = null)
    {
        using var xT = randn(shape, dtype: ScalarType.Float32, device: device, generator: generator);
        return SampleFrom(epsModel, xT, generator, observer);
    }

    /// <summary>
    /// Runs the reverse process from a given start <paramref name="xT"/> (at index <c>Table.Timesteps[0]</c>;
    /// not disposed, not modified). <paramref name="generator"/> supplies the per-step noise of stochastic
    /// samplers and may be null for deterministic ones.
    /// </summary>
    SamplerResult SampleFrom(Func<Tensor, Tensor, Tensor> epsModel, Tensor xT, Generator? generator, SamplingObserver? observer = null);
}
