namespace GenSharp.Score.Samplers;

/// <summary>Plain Langevin dynamics: step size alpha, number of steps, and which noise (docs/score-models.md#langevin).</summary>
public sealed record LangevinConfig(double StepSize = 0.1, int Steps = 1000, LangevinNoise Noise = LangevinNoise.Correct)
{
    public LangevinConfig Validate()
    {
        if (!(StepSize > 0) || !double.IsFinite(StepSize)) throw new ConfigException($"--step-size {StepSize}: must be a positive number");
        if (Steps < 1) throw new ConfigException($"--langevin-steps {Steps}: must be at least 1");
        return this;
    }
}
