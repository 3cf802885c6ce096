using GenSharp.Nn;
using GenSharp.Score.Losses;
using GenSharp.Score.Samplers;

namespace GenSharp.Score.Toy;

/// <summary>
/// The score-based experiments of seed 004 on a 2D Gaussian mixture (SPEC §4), with the seed's values as
/// defaults: ScoreNet (256 hidden, 6 layers, BatchNorm, LeakyReLU); fixed-sigma training at 1, 3, 7;
/// trajectories from [10, 20] and [10, -20]; plain Langevin from uniform starts; annealed Langevin from
/// sigma 20 to 1 over 20 levels with 50 steps each. The training and sampling budgets are GenSharp's
/// choice (the seed does not print them), sized to run in a few minutes on 2 CPU cores. Saved as
/// experiment.json beside the report.
/// </summary>
public sealed record ScoreToyConfig
{
    /// <summary><c>toy:NAME</c> or <c>toy:FILE.json</c> (any Gaussian mixture).</summary>
    public string Data { get; init; } = "toy:mog2";
    public long Seed { get; init; } = 0;
    public int TrainSize { get; init; } = 10_000;
    public int TestSize { get; init; } = 2_000;

    /// <summary>Score-matching loss by name (<see cref="ScoreLossRegistry"/>): dsm, ssm-vr, ssm, parzen, explicit.</summary>
    public string Loss { get; init; } = DenoisingScoreMatching.RegistryName;
    public int Batch { get; init; } = 256;
    public double Lr { get; init; } = 1e-3;
    public double EmaDecay { get; init; } = Ncsnv2Techniques.EmaDecay;
    public ScoreMlpConfig Network { get; init; } = new();

    /// <summary>Noise levels of the fixed-sigma experiment, and the optimiser steps each.</summary>
    public double[] FixedSigmas { get; init; } = [1, 3, 7];
    public int FixedSigmaSteps { get; init; } = 1000;

    /// <summary>sigma_1; null = NCSNv2 technique 1 (maximum pairwise distance of the training set).</summary>
    public double? SigmaMax { get; init; } = 20;
    public double SigmaMin { get; init; } = 1;
    public int Levels { get; init; } = 20;
    public int NcsnSteps { get; init; } = 3000;

    /// <summary>
    /// Annealed Langevin: T steps per level and eps. <see cref="Eps"/> null means 0.1 sigma_L^2 (each step
    /// contracts by a = eps / sigma_L^2 = 0.1); <see cref="EpsFromTechnique4"/> uses NCSNv2 technique 4
    /// instead. GenSharp's 2D default: technique 4 (eps = 0.042 for mog2's 20 -> 1, T = 50) balances the
    /// variance of a single-point dataset, but leaves the chains too little time to move mass between the
    /// modes while they separate; with exact scores and 20,000 chains on mog2 the first component's
    /// fraction was 0.687 at eps = 0.042 against 0.696 at 0.1 and 0.698 at 0.2 (weight 0.7).
    /// </summary>
    public int StepsPerLevel { get; init; } = 50;
    public double? Eps { get; init; }
    public bool EpsFromTechnique4 { get; init; }
    public bool FinalDenoise { get; init; } = true;

    /// <summary>Plain Langevin (and the trajectories): step size, steps, noise (correct, course or none).</summary>
    public double LangevinStepSize { get; init; } = 0.1;
    public int LangevinSteps { get; init; } = 500;
    public string LangevinNoise { get; init; } = "correct";

    /// <summary>Starting points of the trajectory figure.</summary>
    public double[][] Starts { get; init; } = [[10, 20], [10, -20]];

    /// <summary>Samples drawn by each sampler for the weight errors.</summary>
    public int Samples { get; init; } = 3000;

    /// <summary>Arrows per side of the score-field figures.</summary>
    public int FieldGrid { get; init; } = 21;

    public ScoreToyConfig Validate()
    {
        if (!Data.StartsWith("toy:", StringComparison.Ordinal))
            throw new ConfigException($"--data {Data}: the score-toy experiments need a 2D toy: toy:NAME (e.g. toy:mog2) or toy:FILE.json");
        if (TrainSize < 10 || TestSize < 10)
            throw new ConfigException($"--train-size {TrainSize} / --test-size {TestSize}: need at least 10 points each");
        if (Batch < 2) throw new ConfigException($"--batch {Batch}: must be at least 2 (BatchNorm)");
        if (!(Lr > 0)) throw new ConfigException($"--lr {Lr}: must be positive");
        if (!(EmaDecay >= 0 && EmaDecay < 1)) throw new ConfigException($"--ema-decay {EmaDecay}: must be in [0, 1)");
        if (FixedSigmas.Length == 0 || FixedSigmas.Any(s => !(s > 0) || !double.IsFinite(s)))
            throw new ConfigException("--fixed-sigmas: give positive numbers, e.g. 1,3,7");
        if (FixedSigmaSteps < 1 || NcsnSteps < 1) throw new ConfigException("--fixed-steps and --ncsn-steps must be at least 1");
        if (SigmaMax is { } max && !(max > SigmaMin)) throw new ConfigException($"--sigma-max {max}: must exceed --sigma-min {SigmaMin}");
        if (!(SigmaMin > 0)) throw new ConfigException($"--sigma-min {SigmaMin}: must be positive");
        if (Levels < 2) throw new ConfigException($"--levels {Levels}: must be at least 2");
        if (StepsPerLevel < 1) throw new ConfigException($"--T {StepsPerLevel}: must be at least 1");
        if (Eps is { } e && !(e > 0)) throw new ConfigException($"--eps {e}: must be positive");
        new LangevinConfig(LangevinStepSize, LangevinSteps, LangevinNoiseNames.Parse(LangevinNoise)).Validate();
        if (Starts.Length == 0 || Starts.Any(s => s.Length != 2 || s.Any(v => !double.IsFinite(v))))
            throw new ConfigException("--starts: give points as x,y;x,y (e.g. 10,20;10,-20)");
        if (Samples < 100) throw new ConfigException($"--n {Samples}: must be at least 100");
        if (FieldGrid < 3) throw new ConfigException($"field grid {FieldGrid}: must be at least 3");
        if (Network.DataDim != 2) throw new ConfigException("the score-toy network must have data dimension 2");
        if (!ScoreLossRegistry.Names.Contains(Loss))
            throw new ConfigException($"--loss {Loss}: unknown score-matching loss; use one of {string.Join(", ", ScoreLossRegistry.Names)}");
        Network.Validate();
        return this;
    }
}
