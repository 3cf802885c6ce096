namespace GenSharp.Score.Samplers;

/// <summary>
/// Annealed Langevin dynamics (NCSN Algorithm 1, docs/score-models.md#annealed-langevin): the noise levels sigma_1 &gt; ... &gt; sigma_L,
/// T steps per level, the step-size scale eps (alpha_i = eps sigma_i^2 / sigma_L^2), the noise of each
/// step, and the optional final denoising step x + sigma_L^2 s(x, sigma_L) (NCSNv2).
/// </summary>
public sealed record AnnealedLangevinConfig(
    double[] Sigmas, int StepsPerLevel = 50, double Eps = 2e-5, bool FinalDenoise = true, LangevinNoise Noise = LangevinNoise.Correct)
{
    public AnnealedLangevinConfig Validate()
    {
        if (Sigmas.Length < 1) throw new ConfigException("annealed Langevin: at least one noise level is needed");
        for (int i = 0; i < Sigmas.Length; i++)
        {
            if (!(Sigmas[i] > 0) || !double.IsFinite(Sigmas[i])) throw new ConfigException($"noise level {i}: {Sigmas[i]} must be positive");
            if (i > 0 && !(Sigmas[i] < Sigmas[i - 1])) throw new ConfigException($"noise levels must decrease strictly: sigma_{i} = " +
                $"{Sigmas[i - 1]}, sigma_{i + 1} = {Sigmas[i]}");
        }
        if (StepsPerLevel < 1) throw new ConfigException($"--T {StepsPerLevel}: must be at least 1");
        if (!(Eps > 0) || !double.IsFinite(Eps)) throw new ConfigException($"--eps {Eps}: must be a positive number");
        if (Eps / (Sigmas[^1] * Sigmas[^1]) >= 2)
            throw new ConfigException($"--eps {Eps}: eps / sigma_L^2 = {Eps / (Sigmas[^1] * Sigmas[^1]):G3} >= 2 makes the chain diverge; " +
                $"use eps < {Sigmas[^1] * Sigmas[^1]:G3}");
        return this;
    }

    /// <summary>The step size alpha_i = eps sigma_i^2 / sigma_L^2 of level i (0-based).</summary>
    public double StepSize(int level) => Eps * Sigmas[level] * Sigmas[level] / (Sigmas[^1] * Sigmas[^1]);

    /// <summary>Network evaluations of one run.</summary>
    public int FunctionEvaluations => Sigmas.Length * StepsPerLevel + (FinalDenoise ? 1 : 0);
}
