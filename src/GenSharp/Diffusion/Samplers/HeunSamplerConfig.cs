namespace GenSharp.Diffusion.Samplers;

/// <summary>
/// EDM Heun options (Karras et al. 2022; <see cref="HeunSampler"/>): <paramref name="Steps"/> K noise levels of the karras table
/// (<see cref="TimestepTable.Karras"/>, rho = 7; 18 is EDM's choice), and whether to clip the data prediction to [-1, 1].
/// </summary>
public sealed record HeunSamplerConfig(int Steps = 18, bool ClipX0 = false)
{
    public HeunSamplerConfig Validate()
    {
        if (Steps < 1) throw new ConfigException($"--steps {Steps}: the Heun sampler needs at least 1 step");
        return this;
    }

    /// <summary>Network evaluations of K steps: two per step, one for the last (an Euler step onto sigma = 0).</summary>
    public static int Evaluations(int steps) => 2 * steps - 1;
}
