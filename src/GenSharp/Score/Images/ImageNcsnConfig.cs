using GenSharp.Data;
using GenSharp.Nn;
using GenSharp.Pipelines;
using GenSharp.Score.Samplers;

namespace GenSharp.Score.Images;

/// <summary>
/// Everything that defines an NCSNv2 run on images (docs/score-models.md#ncsn-images); saved (resolved) as config.json.
/// Defaults are NCSNv2's (Song &amp; Ermon 2020) where they exist: pixels in [0, 1], sigma_1 from the data's
/// largest pairwise distance, sigma_L = 0.01, gamma from the overlap equation, T = 5 Langevin steps per
/// level with eps from the variance-ratio equation, final denoising, EMA 0.999, lr 1e-4 without warm-up;
/// plus AdamW, gradient clipping 1.0 and the DDPM U-Net (dropout 0.1) as the network.
/// </summary>
public sealed record ImageNcsnConfig : ImageRunConfig
{
    /// <summary>The model family tag written to config.json; <c>sample</c> and <c>eval</c> dispatch on it.</summary>
    public const string Kind = "ncsn-image";

    /// <summary>
    /// NCSNv2's values where they differ from <see cref="ImageRunConfig"/>'s: lr 1e-4 (Adam in NCSNv2) without warm-up, EMA 0.999
    /// (technique 5). Annealed Langevin costs L*T + 1 ~ 500 network evaluations per sample by default (~10x DDIM-50), so grids
    /// and FD points are sparser and smaller than the DDPM's.
    /// </summary>
    public ImageNcsnConfig()
    {
        Model = Kind;
        Training = Training with
        {
            Lr = 1e-4,
            WarmupSteps = 0,
            EmaDecay = Ncsnv2Techniques.EmaDecay,
            SampleEvery = 2000,
            EvalEvery = 2500,
            EvalSamples = 250,
            FinalEvalSamples = 1000,
        };
    }

    /// <summary>Train on only the first N training images (0 = all).</summary>
    public int TrainLimit { get; init; }

    /// <summary>The noise levels sigma_1 &gt; ... &gt; sigma_L (techniques 1 and 2); resolved when the run is created.</summary>
    public NcsnNoiseConfig Noise { get; init; } = new();

    /// <summary>Annealed Langevin dynamics for grids and evaluations (techniques 4; NCSN Algorithm 1).</summary>
    public NcsnSamplingConfig Sampling { get; init; } = new();

    /// <summary>The training objective: denoising (default) or sliced score matching.</summary>
    public NcsnObjectiveConfig Objective { get; init; } = new();

    /// <summary>The U-Net inside s_theta(x, sigma) = u(x, 250 ln sigma) / sigma (1,112,801 parameters at ch = 32 on 28x28x1).</summary>
    public UNetConfig Network { get; init; } = new();

    /// <summary>D = C H W, the data dimension of technique 2.</summary>
    public int Dimension => ImageShape.Aggregate(1, (a, b) => a * b);

    public override ImageNcsnConfig Validate()
    {
        if (DataSpec.Parse(Training.Data) is DataSpec.Toy)
            throw new ConfigException($"--data {Training.Data}: train ncsn needs images; use fashion-mnist or png:DIR (2D score models: " +
                "gensharp lab score-toy)");
        if (TrainLimit < 0) throw new ConfigException($"--train-limit {TrainLimit}: must be >= 0 (0 = all images)");
        ValidateShared();
        Noise.Validate();
        Objective.Validate();
        Network.Validate();
        // checks T, eps (eps / sigma_L^2 < 2) and the levels used
        if (Noise.Sigma1 is not null && Noise.Levels is not null) Sampling.Build(Noise.Sigmas());
        return this;
    }
}

/// <summary>
/// The training noise levels: geometric from sigma_1 to sigma_L. Unset values are filled in when the run is
/// created: sigma_1 by technique 1 (largest pairwise distance of up to <see cref="Sigma1Images"/> random training
/// images: exact up to ~5,000 images, above that the double-sweep lower bound of
/// <see cref="Ncsnv2Techniques.MaxPairwiseDistance"/>), L by technique 2 (gamma solving the overlap equation
/// for D = C H W, then L = ceil(ln(sigma_1/sigma_L) / ln gamma) + 1).
/// </summary>
public sealed record NcsnNoiseConfig
{
    /// <summary>sigma_1; null = technique 1.</summary>
    public double? Sigma1 { get; init; }

    /// <summary>sigma_L: 0.01, NCSNv2's value for pixels in [0, 1].</summary>
    public double SigmaL { get; init; } = 0.01;

    /// <summary>L; null = technique 2.</summary>
    public int? Levels { get; init; }

    /// <summary>Technique 2's overlap target C.</summary>
    public double Overlap { get; init; } = Ncsnv2Techniques.DefaultOverlap;

    /// <summary>Training images used to measure sigma_1 (a random subset).</summary>
    public int Sigma1Images { get; init; } = 10_000;

    /// <summary>How sigma_1 was obtained (written when the run is created).</summary>
    public string Sigma1Source { get; init; } = "";

    /// <summary>The root of the overlap equation for this D (written when the run is created).</summary>
    public double? GammaRoot { get; init; }

    /// <summary>The geometric levels sigma_1 .. sigma_L (needs <see cref="Sigma1"/> and <see cref="Levels"/>).</summary>
    public double[] Sigmas() => NoiseLevels.Geometric(
        Sigma1 ?? throw new ConfigException("sigma_1 is not resolved; create the run with gensharp train ncsn"),
        SigmaL, Levels ?? throw new ConfigException("the number of levels is not resolved; create the run with gensharp train ncsn"));

    public NcsnNoiseConfig Validate()
    {
        if (!(SigmaL > 0) || !double.IsFinite(SigmaL)) throw new ConfigException($"--sigmaL {SigmaL}: must be a positive number");
        if (Sigma1 is double s1 && (!(s1 > SigmaL) || !double.IsFinite(s1)))
            throw new ConfigException($"--sigma1 {s1}: must be larger than --sigmaL {SigmaL}");
        if (Levels is int l && l < 2) throw new ConfigException($"--levels {l}: must be at least 2");
        if (!(Overlap > 0 && Overlap < 1)) throw new ConfigException($"overlap C = {Overlap}: must be in (0, 1)");
        if (Sigma1Images < 2) throw new ConfigException($"--sigma1-images {Sigma1Images}: must be at least 2");
        return this;
    }
}

/// <summary>
/// Annealed Langevin sampling of an NCSN (Algorithm 1 with NCSNv2's technique 4 and final denoising):
/// <see cref="StepsPerLevel"/> T steps on each of <see cref="LevelsUsed"/> levels (null = all L; fewer = evenly
/// spaced levels from sigma_1 to sigma_L, a cheaper sampler), alpha_i = eps sigma_i^2 / sigma_L^2 with eps
/// given or (null) chosen by technique 4 for T and the ratio of the levels used; start from uniform noise
/// in [0, 1] (NCSNv2). Network evaluations per sample: (levels used) * T + 1 with the final denoising step.
/// </summary>
public sealed record NcsnSamplingConfig
{
    /// <summary>T, Langevin steps per noise level: 5, NCSNv2's CIFAR-10 value.</summary>
    public int StepsPerLevel { get; init; } = 5;

    /// <summary>eps; null = technique 4 (variance ratio closest to 1).</summary>
    public double? Eps { get; init; }

    /// <summary>How many of the L trained levels to anneal through; null = all.</summary>
    public int? LevelsUsed { get; init; }

    /// <summary>The final step x + sigma_L^2 s(x, sigma_L) (Tweedie's denoiser; NCSNv2).</summary>
    public bool FinalDenoise { get; init; } = true;

    public NcsnSamplingConfig Validate(int levels)
    {
        if (StepsPerLevel < 1) throw new ConfigException($"--T {StepsPerLevel}: must be at least 1");
        if (Eps is double e && (!(e > 0) || !double.IsFinite(e))) throw new ConfigException($"--eps {e}: must be a positive number");
        if (LevelsUsed is int m && (m < 2 || m > levels))
            throw new ConfigException($"--levels-used {m}: must be between 2 and the run's L = {levels}");
        return this;
    }

    /// <summary>Applies the overrides of <c>sample</c>/<c>eval</c> (null fields keep this config's value).</summary>
    public NcsnSamplingConfig With(AnnealedLangevinOverrides? o) => o is null ? this : this with
    {
        StepsPerLevel = o.StepsPerLevel ?? StepsPerLevel,
        // a new T or a new set of levels changes technique 4's eps: recompute it unless it is given
        Eps = o.Eps ?? (o.StepsPerLevel is null && o.LevelsUsed is null ? Eps : null),
        LevelsUsed = o.LevelsUsed ?? LevelsUsed,
        FinalDenoise = o.FinalDenoise ?? FinalDenoise,
    };

    /// <summary>The indices (0-based) of the levels used: all, or <see cref="LevelsUsed"/> evenly spaced from the first to the last.</summary>
    public int[] LevelIndices(int levels)
    {
        int m = LevelsUsed ?? levels;
        return Enumerable.Range(0, m).Select(j => (int)Math.Round(j * (levels - 1) / (double)(m - 1))).ToArray();
    }

    /// <summary>The sampler for the trained levels <paramref name="sigmas"/>: the levels used, T, eps (technique 4 when unset).</summary>
    public AnnealedLangevinConfig Build(double[] sigmas)
    {
        Validate(sigmas.Length);
        var used = LevelIndices(sigmas.Length).Select(i => sigmas[i]).ToArray();
        double eps = Eps ?? Ncsnv2Techniques.ChooseEps(StepsPerLevel, NoiseLevels.Ratio(used), used[^1]).Eps;
        return new AnnealedLangevinConfig(used, StepsPerLevel, eps, FinalDenoise).Validate();
    }
}
