namespace GenSharp.Diffusion.Samplers;

/// <summary>
/// The descending timestep indices a sampler visits when it uses K of the T training steps, and the
/// index each step lands on. Every sampler (DDPM, DDIM, DPM-Solver++, DDIM inversion) uses this one table.
///
/// Indices are <see cref="NoiseSchedule"/>'s: index t in 0..T-1 is the paper's step t+1. Step i goes
/// from <c>Timesteps[i]</c> to <c>Previous[i] = Timesteps[i+1]</c>; the last step's previous index is
/// -1, meaning abar_prev = 1, i.e. x_0 itself (diffusers' <c>set_alpha_to_one</c>, DPM-Solver's
/// <c>final_sigmas_type="zero"</c>). The previous index is read from the table, never recomputed as
/// <c>t - T // K</c>: that formula is only right for "leading" (diffusers issues #9261, #11347, #12633).
///
/// Spacings, as diffusers' DDIMScheduler defines them (Lin et al. 2023, "Common diffusion noise
/// schedules and sample steps are flawed", Table 2), for i = 0..K-1:
///   linspace:  round(i (T-1) / (K-1)), i.e. np.linspace(0, T-1, K).round()  (K = 1 gives [0])
///   leading:   i * (T // K) + steps_offset                                   (starts below T-1)
///   trailing:  round(T - i T / K) - 1, i.e. np.round(np.arange(T, 0, -T/K)) - 1 (starts at T-1)
/// then sorted descending. Rounding is half-to-even like numpy's, done in exact integer arithmetic (the
/// float np.arange of diffusers can yield a K+1-th element, e.g. T = 1000, K = 3). With K = T all three
/// give T-1, ..., 0. "trailing" is the default: its first step is t = T-1, where x_T ~ N(0, I) is what
/// the model was trained on for every K; "leading" with K &lt; T starts at a less noisy step.
///
/// Multistep variant (<c>multistep: true</c>, diffusers' DPMSolverMultistepScheduler): linspace and leading
/// place K+1 points and drop the last one, t = 0:
///   linspace:  np.linspace(0, T-1, K+1).round()[::-1][:-1]
///   leading:   (np.arange(0, K+1) * (T // (K+1))).round()[::-1][:-1] + steps_offset
/// (trailing is unchanged: its last entry, round(T/K) - 1, is 0 only when K &gt; 2T/3). A multistep solver must
/// not start a step at t = 0: lambda jumps from lambda_1 to lambda_0 = log(sqrt(abar_1 / beta_1)) there, the ratio r0 = h_0 / h of
/// consecutive steps collapses and the second-order extrapolation overshoots (measured with the exact
/// Gaussian model: sample std 1.38x the truth at 10 linspace steps of the single-point table).
///
/// logsnr (not a diffusers timestep_spacing; DPMSolverMultistepScheduler's <c>use_lu_lambdas</c>, Lu et al. 2022, sec. 3.3):
/// K points uniform in lambda = log(alpha / sigma) between lambda(T-1) and lambda(0), each mapped to the index whose lambda
/// it lies at (linear interpolation in lambda, as diffusers' <c>_sigma_to_t</c> does in log sigma = -lambda) and rounded, then
/// nudged apart where rounding made two equal. Needs the model's schedule (its alpha-bars). Few-step solvers take
/// equal steps in their own variable lambda on it, where "trailing" crowds them at high noise.
///
/// karras (Karras et al. 2022, "Elucidating the design space of diffusion-based generative models", eq. 5, rho = 7): K noise levels
///   sigma_i = (sigma_max^(1/rho) + i / (K-1) (sigma_min^(1/rho) - sigma_max^(1/rho)))^rho,  i = 0..K-1,
/// with sigma = sqrt((1 - abar) / abar) (= e^-lambda) and sigma_max, sigma_min those of indices T-1 and 0, each mapped back to the
/// nearest discrete index by the same interpolation in log sigma (k-diffusion's DiscreteEpsDDPMDenoiser.sigma_to_t, rounded so
/// that the network sees a timestep it was trained on; its sigma is then that index's). It is EDM's Heun sampler's table
/// (<see cref="HeunSampler"/>) and any other solver's with <c>--spacing karras</c>. Needs the alpha-bars too.
/// </summary>
public sealed class TimestepTable
{
    /// <summary>The spacing names this build knows.</summary>
    public static readonly string[] Spacings = ["trailing", "linspace", "leading", LogSnr, Karras];

    /// <summary>diffusers' <c>timestep_spacing</c> values (logsnr is GenSharp's own).</summary>
    public static readonly string[] DiffusersSpacings = ["trailing", "linspace", "leading"];

    /// <summary>The spacing uniform in log-SNR (see the summary).</summary>
    public const string LogSnr = "logsnr";

    /// <summary>Karras et al.'s noise levels, rho = 7 (see the summary).</summary>
    public const string Karras = "karras";

    /// <summary>EDM's rho for the karras spacing (Karras et al. 2022, sec. 3: 7 in all their experiments).</summary>
    public const double KarrasRho = 7;

    private TimestepTable(int trainSteps, string spacing, int stepsOffset, bool multistep, int[] timesteps)
    {
        Multistep = multistep;
        TrainSteps = trainSteps;
        Spacing = spacing;
        StepsOffset = stepsOffset;
        Timesteps = timesteps;
        Previous = new int[timesteps.Length];
        for (int i = 0; i < timesteps.Length; i++)
            Previous[i] = i + 1 < timesteps.Length ? timesteps[i + 1] : -1;
    }

    /// <summary>T, the number of training steps.</summary>
    public int TrainSteps { get; }

    /// <summary>"trailing", "linspace" or "leading".</summary>
    public string Spacing { get; }

    /// <summary>diffusers' <c>steps_offset</c> (used by "leading" only).</summary>
    public int StepsOffset { get; }

    /// <summary>True for DPMSolverMultistepScheduler's K+1-point linspace/leading (see the summary).</summary>
    public bool Multistep { get; }

    /// <summary>The K timestep indices visited, descending.</summary>
    public int[] Timesteps { get; }

    /// <summary>The index step i lands on: <c>Timesteps[i+1]</c>, or -1 (x_0, abar = 1) for the last step.</summary>
    public int[] Previous { get; }

    /// <summary>K, the number of sampling steps.</summary>
    public int Steps => Timesteps.Length;

    /// <summary>
    /// Builds the table for <paramref name="steps"/> of <paramref name="trainSteps"/> steps; throws a
    /// <see cref="ConfigException"/> naming the flag to change when K is outside 1..T, the spacing is
    /// unknown, or the offset pushes an index past T-1. <paramref name="multistep"/> selects
    /// DPMSolverMultistepScheduler's definitions of linspace and leading.
    /// </summary>
    /// <param name="alphaBars">The schedule's abar_t, t = 0..T-1: required by logsnr, ignored by the others.</param>
    public static TimestepTable Create(int trainSteps, int steps, string spacing = "trailing", int stepsOffset = 0, bool multistep = false,
        IReadOnlyList<double>? alphaBars = null)
    {
        Arguments(trainSteps, steps, spacing, stepsOffset, multistep);
        if (spacing is LogSnr or Karras)
            return new TimestepTable(trainSteps, spacing, stepsOffset, multistep, AtLambdas(steps, alphaBars
                ?? throw new ArgumentNullException(nameof(alphaBars), $"the {spacing} spacing needs the schedule's alpha-bars"), spacing));
        long T = trainSteps, K = steps;
        bool dropZero = multistep && spacing != "trailing";
        long points = dropZero ? K + 1 : K; // the multistep variants place K+1 points and drop t = 0
        var ascending = new int[points];
        for (int i = 0; i < points; i++)
        {
            ascending[i] = spacing switch
            {
                "linspace" => points == 1 ? 0 : (int)RoundHalfEven(i * (T - 1), points - 1),
                "leading" => (int)(i * (T / points) + stepsOffset),
                _ => (int)RoundHalfEven(T * (K - i), K) - 1, // trailing, generated descending: i = 0 is T-1
            };
        }
        int[] descending = spacing == "trailing" ? ascending : [.. ascending.Reverse()];
        if (dropZero) descending = descending[..^1];
        if (descending[0] > trainSteps - 1)
            throw new ConfigException(
                $"--steps-offset {stepsOffset}: the first step would be t = {descending[0]} but the model has indices 0..{trainSteps - 1}; lower " +
                $"the offset or use fewer steps");
        for (int i = 1; i < descending.Length; i++)
            if (descending[i] >= descending[i - 1])
                throw new InvalidOperationException($"timestep table {spacing} T={trainSteps} K={steps} is not strictly descending at {i}");
        return new TimestepTable(trainSteps, spacing, stepsOffset, multistep, descending);
    }

    /// <summary>
    /// Checks a table's arguments (K within 1..T, the spacing, the offset) with the one-line errors that name the flag to change, as
    /// <see cref="Create"/> does; callable before the schedule is known (the registry checks a request with it).
    /// </summary>
    public static void Check(int trainSteps, int steps, string spacing = "trailing", int stepsOffset = 0, bool multistep = false)
    {
        Arguments(trainSteps, steps, spacing, stepsOffset, multistep);
        if (spacing is not (LogSnr or Karras)) Create(trainSteps, steps, spacing, stepsOffset, multistep); // the offset's reach past T-1
    }

    private static void Arguments(int trainSteps, int steps, string spacing, int stepsOffset, bool multistep)
    {
        if (trainSteps < 1) throw new ConfigException($"timestep table: T = {trainSteps} training steps; need at least 1");
        if (steps < 1 || steps > trainSteps)
            throw new ConfigException($"--steps {steps}: must be between 1 and the {trainSteps} training steps of the model");
        if (!Spacings.Contains(spacing))
            throw new ConfigException($"--spacing {spacing}: unknown; use one of {string.Join(", ", Spacings)}");
        if (stepsOffset < 0) throw new ConfigException($"--steps-offset {stepsOffset}: must be >= 0");
        if (stepsOffset != 0 && spacing != "leading")
            throw new ConfigException($"--steps-offset {stepsOffset}: only the 'leading' spacing uses an offset; drop it or use --spacing leading");
        if (multistep && spacing is "linspace" or "leading" && steps > trainSteps - 1)
            throw new ConfigException(
                $"--steps {steps}: the multistep {spacing} table drops t = 0 and has at most {trainSteps - 1} steps; use fewer steps or --spacing " +
                $"trailing");
    }

    /// <summary>
    /// K indices from index T-1 down to 0 at the lambdas of <paramref name="spacing"/> (logsnr: uniform in lambda; karras: at
    /// -log sigma_i), rounded, equal neighbours pushed apart by one; descending.
    /// </summary>
    private static int[] AtLambdas(int steps, IReadOnlyList<double> alphaBars, string spacing)
    {
        int T = alphaBars.Count;
        if (steps == 1) return [T - 1];                                    // one step from pure noise, as trailing takes it
        double Lambda(int t) => 0.5 * Math.Log(alphaBars[t] / (1 - alphaBars[t]));
        double high = Lambda(0), low = Lambda(T - 1);
        double minRoot = Math.Exp(-high / KarrasRho), maxRoot = Math.Exp(-low / KarrasRho); // sigma_min^(1/rho), sigma_max^(1/rho)
        var ascending = new int[steps];
        int j = 0;
        for (int i = 0; i < steps; i++)
        {
            double u = (double)(steps - 1 - i) / (steps - 1);            // 0 at index 0 (ascending), 1 at T-1
            double target = spacing == LogSnr                             // lambda decreases with the index
                ? high + (low - high) * i / (steps - 1)
                : -KarrasRho * Math.Log(maxRoot + u * (minRoot - maxRoot)); // -log sigma_(K-1-i)
            while (j < T - 2 && Lambda(j + 1) >= target) j++;
            double fraction = (Lambda(j) - target) / (Lambda(j) - Lambda(j + 1));
            ascending[i] = (int)Math.Round(j + Math.Clamp(fraction, 0, 1), MidpointRounding.ToEven);
        }
        for (int i = 1; i < steps; i++) ascending[i] = Math.Max(ascending[i], ascending[i - 1] + 1);
        for (int i = steps - 1; i >= 0; i--) ascending[i] = Math.Min(ascending[i], (i == steps - 1 ? T : ascending[i + 1]) - 1);
        return [.. ascending.Reverse()];
    }

    /// <summary>
    /// The number of training steps a table is built over: T, or T0 for a chain started at x_T0 (early-stopped DDPM, Lyu et al. 2022;
    /// docs/latent-diffusion.md#es-ddpm): its indices T0-1, ..., 0 are the schedule's own, so a table over T0 steps is the T-step table
    /// truncated at T0 (for logsnr: uniform in lambda over the first T0 alpha-bars, <see cref="AlphaBarsUpTo"/>). Throws a
    /// <see cref="ConfigException"/> naming <c>--t0</c> when T0 is outside 1..T.
    /// </summary>
    public static int Start(int trainSteps, int? t0)
    {
        if (t0 is not int s) return trainSteps;
        if (s < 1 || s > trainSteps)
            throw new ConfigException($"--t0 {s}: must be between 1 and the {trainSteps} training steps of the model");
        return s;
    }

    /// <summary>abar_t for t = 0..<paramref name="steps"/>-1: the schedule a table truncated at T0 = <paramref name="steps"/> is built on.</summary>
    public static IReadOnlyList<double> AlphaBarsUpTo(IReadOnlyList<double> alphaBars, int steps) =>
        steps == alphaBars.Count ? alphaBars : [.. alphaBars.Take(steps)];

    /// <summary>The full table T-1, ..., 0 (ancestral DDPM).</summary>
    public static TimestepTable Full(int trainSteps) => Create(trainSteps, trainSteps);

    /// <summary>round(n / d) with ties to even, for n &gt;= 0, d &gt; 0 (numpy's rounding, without float error).</summary>
    private static long RoundHalfEven(long n, long d)
    {
        long q = n / d, r = n % d;
        if (2 * r > d || (2 * r == d && (q & 1) == 1)) q++;
        return q;
    }

    public override string ToString() => $"{Spacing}{(Multistep ? " (multistep)" : "")} {Steps}/{TrainSteps}: [{string.Join(", ", Timesteps)}]";
}
