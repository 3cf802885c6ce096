using System.Diagnostics;
using GenSharp.Data.Toy;
using GenSharp.Diffusion.Samplers;
using GenSharp.Pipelines;
using GenSharp.Evaluation;
using GenSharp.Output;
using GenSharp.Score.Losses;
using GenSharp.Score.Samplers;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Score.Toy;

/// <summary>
/// Runs the seed-004 experiments (docs/score-models.md#toy-experiments) on any 2D Gaussian mixture and writes their figures under
/// OUT/plots, results.json and report.html:
/// (1) density heat-map and train/test scatter; (2) fixed-sigma training at each sigma with learned vs
/// exact score fields and the field error; (3) deterministic vs Langevin trajectories from given starts;
/// (4) plain Langevin from uniform starts (mass split by basins of attraction, not by the weights);
/// (5) a noise-conditional ScoreNet trained over geometric levels and annealed Langevin, which recovers
/// the weights. Every sampler is also run with the exact score as a reference.
/// </summary>
public static class ScoreToyExperiments
{
    public static ScoreToyResults Run(ScoreToyConfig config, string outDir, Device device, bool quiet, TextWriter log)
    {
        config.Validate();
        using var scope = NewDisposeScope(); // stray temporaries of the figures and metrics; the results are plain numbers
        var clock = Stopwatch.StartNew();
        var mixture = ToyRegistry.Resolve(config.Data["toy:".Length..]) as GaussianMixture2D
            ?? throw new ConfigException($"--data {config.Data}: the score experiments need a Gaussian mixture (exact noised scores)");
        bool weightsMeaningful = mixture.Components <= Toy2DMetrics.MaxComponentsForWeights;
        var figures = new ScoreToyFigures(Path.Combine(outDir, "plots"), mixture, config);
        using var gData = new Generator((ulong)config.Seed + 1, CPU);
        using var train = mixture.Sample(config.TrainSize, gData);
        using var test = mixture.Sample(config.TestSize, gData);
        figures.Data(train, test);

        // (2) fixed-sigma training: the learned field against the exact score of p_sigma
        var fieldErrors = new List<FieldErrorResult>();
        TrainedScore? smallest = null;
        foreach (double sigma in config.FixedSigmas.Order())
        {
            var noised = mixture.Convolve(sigma);
            var loss = ScoreLossRegistry.Create(config.Loss, new ScoreLossContext(train, ExactNoised(mixture)));
            var trained = ScoreToyTrainer.Train(config.Network, loss, train, [sigma], config.FixedSigmaSteps, config.Batch, config.Lr,
                config.EmaDecay, config.Seed + 10 + (long)(sigma * 1000), device, $"fixed sigma = {sigma:G3}", quiet);
            fieldErrors.Add(FieldError(trained, loss, noised, sigma, test, figures.FieldGridPoints(), config.Seed, device));
            figures.ScoreFields(sigma, noised, trained.Score, device);
            figures.AddLoss($"sigma = {sigma:G3}", trained.Losses);
            log.WriteLine($"  fixed sigma {sigma,5:G3}: relative field error {fieldErrors[^1].RelativeError:F4} (held-out, x ~ p_sigma), " +
                $"grid {fieldErrors[^1].GridRelativeError:F4}, {trained.Seconds:F1} s");
            if (smallest is null) smallest = trained; else trained.Dispose();
        }
        figures.FieldErrors(fieldErrors);

        // (3) trajectories from the given starts with the smallest fixed sigma's learned score and the exact one
        double sigmaStar = config.FixedSigmas.Min();
        var trajectories = new List<TrajectoryResult>();
        var noise = LangevinNoiseNames.Parse(config.LangevinNoise);
        var exactStar = mixture.Convolve(sigmaStar);
        foreach (var (name, score) in new (string, Func<Tensor, Tensor>)[]
        {
            ("learned", Scores.AtSigma(smallest!.Score, sigmaStar)),
            ("exact", exactStar.Score),
        })
        {
            var paths = new List<(string Label, Tensor Path)>();
            foreach (var dynamics in new[] { LangevinNoise.None, noise })
            {
                using var g = new Generator((ulong)config.Seed + 3, device);
                using var starts = tensor(config.Starts.SelectMany(s => s).ToArray(), device: device).to_type(ScalarType.Float32).reshape(-1, 2);
                var observer = new SamplingObserver(recordAt: Enumerable.Range(0, config.LangevinSteps + 1).ToArray());
                var result = new LangevinDynamics(new LangevinConfig(config.LangevinStepSize, config.LangevinSteps, dynamics))
                    .Run(score, starts, g, observer);
                var path = stack(result.Trajectory.OrderBy(kv => kv.Key).Select(kv => kv.Value).ToArray(), 1).cpu(); // (starts, steps + 1, 2)
                foreach (var t in result.Trajectory.Values) t.Dispose();
                string label = dynamics == LangevinNoise.None ? "deterministic" : $"Langevin ({config.LangevinNoise} noise)";
                var ends = result.Samples.cpu();
                var components = mixture.Responsibilities(ends).argmax(1).data<long>().ToArray();
                for (int i = 0; i < config.Starts.Length; i++)
                    trajectories.Add(new TrajectoryResult(name, label, config.Starts[i],
                        [ends[i, 0].item<float>(), ends[i, 1].item<float>()], (int)components[i]));
                paths.Add((label, path));
                ends.Dispose();
                result.Samples.Dispose();
            }
            figures.Trajectories(name, sigmaStar, exactStar, paths);
            foreach (var (_, p) in paths) p.Dispose();
        }
        smallest.Dispose();

        // (5) the noise-conditional network over geometric levels (trained before (4): plain Langevin uses it at sigma_L)
        double sigmaMax = config.SigmaMax ?? Ncsnv2Techniques.MaxPairwiseDistance(train).Value;
        var sigmas = NoiseLevels.Geometric(sigmaMax, config.SigmaMin, config.Levels);
        double gamma = NoiseLevels.Ratio(sigmas);
        var (autoEps, _) = Ncsnv2Techniques.ChooseEps(config.StepsPerLevel, gamma, config.SigmaMin);
        double eps = config.EpsFromTechnique4 ? autoEps : config.Eps ?? 0.1 * config.SigmaMin * config.SigmaMin;
        var ncsnLoss = ScoreLossRegistry.Create(config.Loss, new ScoreLossContext(train, ExactNoised(mixture)));
        using var ncsn = ScoreToyTrainer.Train(config.Network, ncsnLoss, train, sigmas, config.NcsnSteps, config.Batch, config.Lr,
            config.EmaDecay, config.Seed + 20, device, $"NCSN, {sigmas.Length} levels", quiet);
        figures.AddLoss($"NCSN ({sigmas.Length} levels)", ncsn.Losses);
        log.WriteLine($"  NCSN: {sigmas.Length} levels {sigmas[0]:G4} -> {sigmas[^1]:G4} (gamma {gamma:F4}), eps {eps:G4}, {ncsn.Seconds:F1} s");

        // (4) plain and (5) annealed Langevin from the same uniform starts, learned and exact scores
        var weights = new List<WeightResult>();
        var extent = ToyRunReport.Extent(mixture);
        using var gStart = new Generator((ulong)config.Seed + 4, device);
        using var uniform = UniformStarts(config.Samples, extent, gStart, device);
        NoiseConditionalScore exactNoised = ExactNoised(mixture);
        var plainConfig = new LangevinConfig(config.LangevinStepSize, config.LangevinSteps, noise);
        var annealedConfig = new AnnealedLangevinConfig(sigmas, config.StepsPerLevel, eps, config.FinalDenoise, noise);
        var annealedSamples = new Dictionary<string, Tensor>();
        int[] levelMarks = LevelMarks(sigmas.Length, config.StepsPerLevel);
        foreach (var (name, score) in new (string, NoiseConditionalScore)[] { ("learned", ncsn.Score), ("exact", exactNoised) })
        {
            using var g1 = new Generator((ulong)config.Seed + 5, device);
            var plainScore = name == "learned" ? Scores.AtSigma(score, sigmas[^1]) : mixture.Score;
            var plain = RunWithProgress($"plain Langevin ({name})", config.LangevinSteps, quiet,
                o => new LangevinDynamics(plainConfig).Run(plainScore, uniform, g1, o));
            weights.Add(Weights("plain Langevin", name == "learned" ? $"learned at sigma_L = {sigmas[^1]:G3}" : "exact score of p",
                mixture, plain, weightsMeaningful));
            figures.Samples($"plain-{name}", plain.Samples, $"Plain Langevin, {name} score ({config.LangevinSteps} steps)");
            plain.Samples.Dispose();

            using var g2 = new Generator((ulong)config.Seed + 6, device);
            var annealed = RunWithProgress($"annealed Langevin ({name})", sigmas.Length * config.StepsPerLevel, quiet,
                o => new AnnealedLangevinDynamics(annealedConfig).Run(score, uniform, g2, new SamplingObserver(levelMarks, o.Step)));
            weights.Add(Weights("annealed Langevin", name == "learned" ? "learned NCSN" : "exact scores of p_sigma",
                mixture, annealed, weightsMeaningful));
            figures.Samples($"annealed-{name}", annealed.Samples, $"Annealed Langevin, {name} score");
            figures.Progression(name, annealed.Trajectory, annealed.Samples, sigmas, config.StepsPerLevel);
            foreach (var t in annealed.Trajectory.Values) t.Dispose();
            annealedSamples[name] = annealed.Samples;
        }
        foreach (var w in weights)
            log.WriteLine($"  {w.Sampler,-18} {w.Score,-26} fractions [{string.Join(", ", w.Fractions.Select(f => f.ToString("F3")))}]  " +
                $"weight error {(w.WeightErrorMax is { } e ? e.ToString("F4") : "n/a")}");

        using var gRef = new Generator((ulong)config.Seed + 7, CPU);
        using var reference = mixture.Sample(config.Samples, gRef);
        var metrics = Toy2DMetrics.Evaluate(annealedSamples["learned"].cpu(), mixture, reference, config.Seed);
        foreach (var s in annealedSamples.Values) s.Dispose();

        var results = new ScoreToyResults
        {
            Data = config.Data,
            Weights = mixture.Weights,
            Sigmas = sigmas,
            SigmaMaxSource = config.SigmaMax is null ? "NCSNv2 technique 1: maximum pairwise distance of the training set" : "given",
            Gamma = gamma,
            Eps = eps,
            EpsSource = config.EpsFromTechnique4 ? $"NCSNv2 technique 4 for T = {config.StepsPerLevel}"
                : config.Eps is null ? "0.1 sigma_L^2 (default)"
                : "given",
            VarianceRatio = Ncsnv2Techniques.VarianceRatio(eps, config.StepsPerLevel, gamma, config.SigmaMin),
            FieldErrors = fieldErrors,
            Trajectories = trajectories,
            WeightErrors = weights,
            NcsnTrainSeconds = ncsn.Seconds,
            NcsnFinalLoss = ncsn.Losses.TakeLast(Math.Min(100, ncsn.Losses.Length)).Average(),
            AnnealedMetrics = new Dictionary<string, double?>(metrics.ToDictionary()),
        };
        figures.Losses();
        results.TotalSeconds = clock.Elapsed.TotalSeconds;
        ScoreToyReport.Write(outDir, config, results, figures);
        return results;
    }

    /// <summary>The exact score of p_sigma = p * N(0, sigma^2 I) for a batch that shares one sigma.</summary>
    public static NoiseConditionalScore ExactNoised(GaussianMixture2D mixture)
    {
        var cache = new Dictionary<float, GaussianMixture2D>();
        return (x, sigma) =>
        {
            float s = sigma[0].item<float>();
            if (sigma.numel() > 1 && !sigma.eq(s).all().item<bool>())
            {
                // mixed levels in one batch: evaluate level by level
                using var scope = NewDisposeScope();
                var result = zeros_like(x);
                foreach (float level in sigma.unique().Item1.cpu().data<float>().ToArray())
                {
                    var mask = sigma.eq(level);
                    if (!cache.TryGetValue(level, out var m)) cache[level] = m = mixture.Convolve(level);
                    result.index_put_(m.Score(x[mask]), mask);
                }
                return result.MoveToOuterDisposeScope();
            }
            if (!cache.TryGetValue(s, out var mix)) cache[s] = mix = mixture.Convolve(s);
            return mix.Score(x);
        };
    }

    private static FieldErrorResult FieldError(TrainedScore trained, IScoreMatchingLoss loss, GaussianMixture2D noised, double sigma,
        Tensor test, Tensor grid, long seed, Device device)
    {
        using var scope = NewDisposeScope();
        using var g = new Generator((ulong)seed + 11, device);
        var x = test.to(device);
        var xNoisy = x + sigma * randn(x.shape, device: device, generator: g);   // held-out samples of p_sigma
        var sigmaB = full([x.shape[0]], sigma, device: device);
        var learned = trained.Score(xNoisy, sigmaB).cpu();
        var exact = noised.Score(xNoisy.cpu());
        double mse = (learned - exact).pow(2).sum(1).mean().item<float>();
        double scale = exact.pow(2).sum(1).mean().item<float>();
        var gl = trained.Score(grid.to(device), full([grid.shape[0]], sigma, device: device)).cpu();
        var ge = noised.Score(grid);
        double gridRel = (gl - ge).pow(2).sum(1).mean().item<float>() / ge.pow(2).sum(1).mean().item<float>();
        double testLoss;
        using (var g2 = new Generator((ulong)seed + 12, device))
        using (enable_grad()) // sliced score matching differentiates through the network
            testLoss = loss.Loss((u, v) => trained.Model.call(u, v), x, sigmaB, g2).item<float>();
        return new FieldErrorResult(sigma, mse, mse / scale, gridRel, testLoss, trained.Seconds);
    }

    private static Tensor UniformStarts(int n, (double XMin, double XMax, double YMin, double YMax) e, Generator g, Device device)
    {
        using var scope = NewDisposeScope();
        var u = rand([n, 2], device: device, generator: g);
        var lo = tensor(new[] { (float)e.XMin, (float)e.YMin }, device: device);
        var span = tensor(new[] { (float)(e.XMax - e.XMin), (float)(e.YMax - e.YMin) }, device: device);
        return (lo + u * span).MoveToOuterDisposeScope();
    }

    /// <summary>Global step indices at the start of about six evenly spread levels (and the end of the last).</summary>
    private static int[] LevelMarks(int levels, int T)
    {
        var picks = Enumerable.Range(0, 6).Select(i => (int)Math.Round(i * (levels - 1) / 5.0)).Distinct();
        return [.. picks.Select(l => l * T), levels * T];
    }

    private static SamplerResult RunWithProgress(string description, int total, bool quiet, Func<SamplingObserver, SamplerResult> run)
    {
        using var progress = ProgressReporter.Start(description, total, quiet);
        return run(new SamplingObserver(onStep: (done, all) => { if (done % 20 == 0 || done == all) progress.Report(done); }));
    }

    private static WeightResult Weights(string sampler, string score, GaussianMixture2D mixture, SamplerResult result, bool meaningful)
    {
        using var cpu = result.Samples.cpu();
        var fractions = Toy2DMetrics.ComponentFractions(mixture, cpu);
        double? error = meaningful ? fractions.Zip(mixture.Weights, (f, w) => Math.Abs(f - w)).Max() : null;
        return new WeightResult(sampler, score, fractions, error, result.Seconds, result.FunctionEvaluations);
    }
}
