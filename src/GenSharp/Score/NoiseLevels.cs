namespace GenSharp.Score;

/// <summary>
/// The noise levels of an NCSN (SPEC §4): a geometric sequence sigma_1 &gt; sigma_2 &gt; ... &gt; sigma_L
/// with constant ratio gamma = sigma_{i-1} / sigma_i = (sigma_1 / sigma_L)^(1 / (L - 1)).
/// </summary>
public static class NoiseLevels
{
    /// <summary>L geometric levels from <paramref name="sigmaMax"/> down to <paramref name="sigmaMin"/> (both included).</summary>
    public static double[] Geometric(double sigmaMax, double sigmaMin, int levels)
    {
        if (!(sigmaMin > 0) || !double.IsFinite(sigmaMax) || !(sigmaMax >= sigmaMin))
            throw new ConfigException($"noise levels {sigmaMax} -> {sigmaMin}: need sigma_max >= sigma_min > 0");
        if (levels < 1) throw new ConfigException($"--levels {levels}: must be at least 1");
        if (levels == 1) return [sigmaMax];
        if (sigmaMax == sigmaMin)
            throw new ConfigException(
                $"noise levels: sigma_max = sigma_min = {sigmaMax} with {levels} levels; give sigma_max > sigma_min or one level");
        double logRatio = Math.Log(sigmaMin / sigmaMax) / (levels - 1);
        var sigmas = new double[levels];
        for (int i = 0; i < levels; i++) sigmas[i] = sigmaMax * Math.Exp(logRatio * i);
        sigmas[^1] = sigmaMin; // exact end point
        return sigmas;
    }

    /// <summary>The ratio gamma = sigma_{i-1} / sigma_i of a geometric sequence.</summary>
    public static double Ratio(IReadOnlyList<double> sigmas) =>
        sigmas.Count < 2 ? 1 : Math.Pow(sigmas[0] / sigmas[^1], 1.0 / (sigmas.Count - 1));
}
