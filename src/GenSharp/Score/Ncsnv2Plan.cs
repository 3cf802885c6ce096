namespace GenSharp.Score;

/// <summary>
/// The noise levels and annealed-Langevin settings the NCSNv2 techniques give for data of dimension D
/// (see <see cref="Ncsnv2Techniques"/>): gamma from the overlap equation, L from sigma_1, sigma_L and gamma,
/// the realised geometric sigmas, and eps for T steps per level. Used by <c>gensharp lab ncsnv2</c> and as
/// the default noise configuration when training on images.
/// </summary>
/// <param name="Dimension">D, the number of data dimensions (3072 for 32x32x3, 784 for 28x28x1).</param>
/// <param name="Sigma1">The largest noise level.</param>
/// <param name="SigmaL">The smallest noise level.</param>
/// <param name="Overlap">The overlap target C of technique 2.</param>
/// <param name="GammaRoot">The root of the overlap equation; null when it has none (D &lt;= 4).</param>
/// <param name="Levels">L.</param>
/// <param name="Gamma">The realised ratio (sigma_1 / sigma_L)^(1/(L-1)) &lt;= GammaRoot.</param>
/// <param name="StepsPerLevel">T.</param>
/// <param name="Eps">The step-size scale: alpha_i = eps sigma_i^2 / sigma_L^2.</param>
/// <param name="VarianceRatio">s_T^2 / sigma_i^2 achieved with Eps and Gamma (technique 4; 1 is ideal).</param>
/// <param name="EmaDecay">Technique 5's EMA decay.</param>
public sealed record Ncsnv2Plan(
    int Dimension, double Sigma1, double SigmaL, double Overlap, double? GammaRoot, int Levels, double Gamma,
    int StepsPerLevel, double Eps, double VarianceRatio, double EmaDecay)
{
    /// <summary>The geometric sigmas sigma_1 .. sigma_L.</summary>
    public double[] Sigmas => NoiseLevels.Geometric(Sigma1, SigmaL, Levels);

    /// <summary>
    /// Applies techniques 2 and 4. <paramref name="levels"/> overrides L (needed when the overlap equation
    /// has no root, i.e. D &lt;= 4).
    /// </summary>
    public static Ncsnv2Plan Make(int dimension, double sigma1, double sigmaL, int stepsPerLevel,
        double overlap = Ncsnv2Techniques.DefaultOverlap, int? levels = null)
    {
        if (!(sigmaL > 0 && sigma1 > sigmaL)) throw new ConfigException($"--sigma1 {sigma1} --sigmaL {sigmaL}: need sigma1 > sigmaL > 0");
        double? root = Ncsnv2Techniques.SolveGamma(dimension, overlap);
        int l = levels
            ?? (root is { } g ? Ncsnv2Techniques.NumberOfLevels(sigma1, sigmaL, g)
                : throw new ConfigException($"--dim {dimension}: the overlap equation has no root for D <= 4 (every ratio satisfies it); " +
                    "give the number of levels (--levels)"));
        if (l < 2) throw new ConfigException($"--levels {l}: must be at least 2");
        double gamma = Math.Pow(sigma1 / sigmaL, 1.0 / (l - 1));
        var (eps, ratio) = Ncsnv2Techniques.ChooseEps(stepsPerLevel, gamma, sigmaL);
        return new Ncsnv2Plan(dimension, sigma1, sigmaL, overlap, root, l, gamma, stepsPerLevel, eps, ratio, Ncsnv2Techniques.EmaDecay);
    }
}
