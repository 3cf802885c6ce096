using System.Text;
using System.Text.Json;
using GenSharp.Data;
using GenSharp.Diffusion.Images;
using GenSharp.Diffusion.Samplers;
using GenSharp.Evaluation;
using GenSharp.Nn;
using GenSharp.Output;
using GenSharp.Runtime;
using GenSharp.Score.Losses;
using GenSharp.Score.Samplers;
using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Score.Images;

/// <summary>
/// NCSNv2 on images, end to end (SPEC §4, §7): the reference U-Net as s_theta(x, sigma) = u(x, 250 ln sigma) / sigma,
/// trained by denoising score matching with weight lambda(sigma) = sigma^2 at one random level per example,
/// AdamW, EMA and gradient clipping (the generic <see cref="Trainer"/>); sampled by annealed Langevin dynamics
/// with the final denoising step; sample grids and Fréchet distance during training; evaluation against the
/// held-out images beside the real-vs-real floor and the noise ceiling, as for the image DDPM.
/// </summary>
public sealed class ImageNcsnRecipe : IRunRecipe
{
    /// <summary>Images per sampler call (memory stays bounded for any --n).</summary>
    public const int SamplingBatch = 250;

    public string Kind => ImageNcsnConfig.Kind;

    /// <summary>
    /// Fills in what a fresh run measures once: image shape, data hash, environment, and the noise levels by
    /// NCSNv2's techniques 1 (sigma_1) and 2 (gamma, hence L) unless given.
    /// </summary>
    public static ImageNcsnConfig Resolve(ImageNcsnConfig config, Device device)
    {
        config.Validate();
        config = config with { Data = DataSpec.Parse(config.Data).Canonical }; // a plain IDX folder is stored as fashion-mnist:DIR
        using var data = ImageNcsnData.Train(config.Data, config.TrainLimit);
        if (data.Height != data.Width)
            throw new ConfigException($"--data {config.Data}: images are {data.Width}x{data.Height}; the U-Net needs square images");
        if (config.Batch > data.Count)
            throw new ConfigException($"--batch {config.Batch}: larger than the {data.Count} training images");
        int dimension = data.Channels * data.Height * data.Width;
        var noise = config.Noise;
        double sigma1;
        string source;
        if (noise.Sigma1 is double given)
        {
            (sigma1, source) = (given, "given (--sigma1)");
        }
        else
        {
            int m = Math.Min(noise.Sigma1Images, data.Count);
            using var scope = NewDisposeScope();
            using var g = new Generator((ulong)config.Seed + 29, CPU);
            var subset = m == data.Count ? data.Images : data.Images.index_select(0, randperm(data.Count, generator: g).narrow(0, 0, m));
            var estimate = Ncsnv2Techniques.MaxPairwiseDistance(subset, config.Seed);
            sigma1 = estimate.Value;
            source = estimate.Exact
                ? $"technique 1: the largest pairwise distance of {m} training images (exact)"
                : $"technique 1: the largest pairwise distance of {m} random training images (double-sweep lower bound; upper bound {estimate.UpperBound:F3})";
        }
        var plan = Ncsnv2Plan.Make(dimension, sigma1, noise.SigmaL, config.Sampling.StepsPerLevel, noise.Overlap, noise.Levels);
        return (config with
        {
            ImageShape = [data.Channels, data.Height, data.Width],
            Network = config.Network with { InChannels = data.Channels, Resolution = data.Height },
            DataHash = data.ContentHash,
            Environment = RunEnvironment.Capture(device),
            Noise = noise with { Sigma1 = sigma1, Levels = plan.Levels, Sigma1Source = source, GammaRoot = plan.GammaRoot },
        }).Validate();
    }

    /// <summary>One line describing the noise plan and the sampler, printed when training starts.</summary>
    public static string Describe(ImageNcsnConfig config)
    {
        var sigmas = config.Noise.Sigmas();
        var langevin = config.Sampling.Build(sigmas);
        return $"NCSNv2 plan: sigma_1 {sigmas[0]:G4} -> sigma_L {sigmas[^1]:G4}, L = {sigmas.Length}, gamma {NoiseLevels.Ratio(sigmas):F4}; " +
               $"annealed Langevin over {langevin.Sigmas.Length} levels x T = {langevin.StepsPerLevel}, eps {langevin.Eps:G4}, {langevin.FunctionEvaluations} network evaluations per sample";
    }

    /// <summary>Trains (or resumes) the run, then evaluates it and writes the report.</summary>
    public static EvalOutcome? Train(ImageNcsnConfig config, RunDirectory run, Device device, bool resume, bool quiet, TextWriter? log = null)
    {
        log ??= Console.Error;
        using var data = ImageNcsnData.Train(config.Data, config.TrainLimit, device);
        if (data.Channels != config.ImageShape[0] || data.Height != config.ImageShape[1])
            throw new ConfigException($"--data {config.Data}: images are {data.Channels}x{data.Height}x{data.Width}, but the run was created for {string.Join("x", config.ImageShape)}");
        var sigmas = config.Noise.Sigmas();
        var langevin = config.Sampling.Build(sigmas);
        if (!quiet) log.WriteLine(Describe(config));
        manual_seed(config.Seed);
        using var rng = new Generator((ulong)config.Seed, device);
        using var model = new UNetScoreNetwork(config.Network);
        model.to(device);
        using var shadow = new UNetScoreNetwork(config.Network);
        shadow.to(device);
        using var ema = new Ema(model, shadow, config.EmaDecay);
        using var sigmaTable = tensor(sigmas, dtype: ScalarType.Float32, device: device);
        using var optimizer = new FusedAdamW(model.parameters(), config.Lr, weight_decay: config.WeightDecay);
        using var batches = new BatchSampler(data.Count, config.Batch, config.Seed);
        var dsm = new DenoisingScoreMatching();

        var schedule = new LearningRateSchedule(config.Lr, config.Steps, config.WarmupSteps, config.LrDecay);
        var trainerConfig = new TrainerConfig(config.Steps, config.Batch, config.GradClip, config.LogEvery, config.CheckpointEvery, TensorBoard: config.TensorBoard);
        Tensor Loss(long step)
        {
            var x = data.Batch(batches.BatchIndices(step).to(device));                                   // (B, C, H, W) in [0, 1]
            if (config.Flip)
                x = where(rand([x.shape[0], 1, 1, 1], generator: rng, device: device) < 0.5, x.flip(3), x);
            var level = randint(0, sigmas.Length, [x.shape[0]], generator: rng, device: device);         // i ~ U{1..L} per example
            var sigma = sigmaTable.index_select(0, level);                                               // (B)
            return dsm.Loss((xt, s) => model.call(xt, s), x, sigma, rng);                                 // 1/2 E || sigma s + z ||^2
        }
        var trainer = new Trainer(trainerConfig, model, optimizer, schedule, ema, rng, run, Loss,
            new Dictionary<string, string> { ["config"] = JsonSerializer.Serialize(config, JsonDefaults.Compact) });

        // sample grids from one fixed start noise, so that grids over training are comparable
        trainer.Every(config.SampleEvery, step =>
        {
            using var samples = Draw(shadow, langevin, 64, config.Seed + 1, device, quiet: true).Samples;
            ImageGrid.Save(samples, Path.Combine(run.SamplesDir, $"step-{step:D8}.png"), columns: 8, scale: 2);
        });

        // FD (and KID, precision, recall) of EvalSamples images over training, beside the floor at the same n
        FeatureExtractor? extractor = null;
        Tensor? referenceFeatures = null;
        double floor = double.NaN;
        bool unusable = false;
        if (config.EvalEvery > 0)
        {
            trainer.Every(config.EvalEvery, step =>
            {
                if (unusable) return;
                if (extractor is null)
                {
                    var notes = new StringWriter();
                    extractor = ImageDdpmEvaluation.TryLoadExtractor(config.Data, config.ImageShape, notes);
                    if (extractor is null)
                    {
                        unusable = config.ImageShape is not [1, 28, 28];
                        if (!quiet) log.WriteLine($"step {step}: {notes.ToString().Trim()}");
                        return;
                    }
                    (referenceFeatures, floor) = ImageDdpmEvaluation.ReferenceFeatures(extractor, config.Data, config.EvalSamples, config.Seed);
                }
                using var scope = NewDisposeScope();
                var drawn = Draw(shadow, langevin, config.EvalSamples, config.Seed + 3, device, quiet: true);
                var (features, logits) = extractor.Extract(drawn.Samples);
                var report = ImageMetrics.FromFeatures(extractor.Version, referenceFeatures!, features, logits, config.Seed);
                var record = new Dictionary<string, object?>
                {
                    ["step"] = step,
                    ["n"] = config.EvalSamples,
                    ["sampler"] = Label(langevin),
                    ["features"] = extractor.Version,
                    ["fd_floor"] = floor,
                    ["sampling_s"] = Math.Round(drawn.Seconds, 2),
                };
                foreach (var (k, v) in report.ToDictionary()) record[k] = v;
                run.EvalCurve.Append(record);
                drawn.Samples.Dispose();
                if (!quiet) log.WriteLine($"step {step}: FD {report.FrechetDistance:F3} (floor {floor:F3}, {config.EvalSamples} samples, {Label(langevin)}, {drawn.Seconds:F0} s)");
            });
        }
        try
        {
            if (resume)
            {
                long from = trainer.Resume();
                if (!quiet) log.WriteLine(from > 0 ? $"resuming {run.Name} from step {from} of {config.Steps}" : $"no checkpoint in {run.Name}; starting from step 0");
            }
            trainer.Run($"train {run.Name}", quiet);
        }
        finally
        {
            extractor?.Dispose();
            referenceFeatures?.Dispose();
        }
        if (config.FinalEvalSamples == 0)
        {
            using var ema0 = LoadEma(run, config, device);
            ImageNcsnFigures.WriteAll(run, config, ema0, langevin, device, quiet);
            ImageNcsnReport.Write(run, config, null);
            return null;
        }
        return new ImageNcsnRecipe().Evaluate(run, new EvalRequest(config.FinalEvalSamples, config.Seed + 7, quiet, Figures: true), device);
    }

    public SampleOutcome Sample(RunDirectory run, SampleRequest request, Device device)
    {
        if (request.N < 1) throw new ConfigException($"--n {request.N}: must be at least 1");
        RefuseDiffusionSampler(request.Sampler);
        var config = RunConfigFile.Read<ImageNcsnConfig>(run).Validate();
        var langevin = config.Sampling.With(request.Langevin).Build(config.Noise.Sigmas());
        using var model = LoadEma(run, config, device);
        var result = Draw(model, langevin, request.N, request.Seed, device, request.Quiet);
        using var samples = result.Samples;
        string folder = request.Output ?? Path.Combine(run.SamplesDir, $"{Label(langevin)}-n{request.N}-seed{request.Seed}");
        PngFolder.Write(samples, folder);
        string grid = folder.TrimEnd('/') + ".png";
        ImageGrid.Save(samples.narrow(0, 0, Math.Min(request.N, 100)), grid, columns: 10, scale: 2);
        return new SampleOutcome([folder, grid], request.N, result.Seconds, result.FunctionEvaluations);
    }

    public EvalOutcome Evaluate(RunDirectory run, EvalRequest request, Device device)
    {
        if (request.N < 10) throw new ConfigException($"--n {request.N}: must be at least 10");
        RefuseDiffusionSampler(request.Sampler);
        if (request.BitsPerDimImages > 0) throw new ConfigException("--bpd: bits/dim is the DDPM's variational bound; an NCSN has no likelihood bound");
        var config = RunConfigFile.Read<ImageNcsnConfig>(run).Validate();
        var langevin = config.Sampling.With(request.Langevin).Build(config.Noise.Sigmas());
        using var model = LoadEma(run, config, device);
        var evaluation = ImageNcsnEvaluation.Run(run, config, model, langevin, request, device);
        string evalJson = JsonSerializer.Serialize(evaluation.Json, JsonDefaults.Options) + "\n";
        AtomicFile.Write(run.EvalPath, s => s.Write(Encoding.UTF8.GetBytes(evalJson)));
        if (request.Figures) ImageNcsnFigures.WriteAll(run, config, model, langevin, device, request.Quiet);
        ImageNcsnReport.Write(run, config, evaluation);
        return new EvalOutcome(run.EvalPath, evaluation.Metrics, evaluation.Model?.Extractor);
    }

    /// <summary>A short name of an annealed-Langevin setting, e.g. <c>langevin-L101-T5</c>.</summary>
    public static string Label(AnnealedLangevinConfig langevin) =>
        $"langevin-L{langevin.Sigmas.Length}-T{langevin.StepsPerLevel}" + (langevin.FinalDenoise ? "" : "-nodenoise");

    /// <summary>
    /// Samples <paramref name="n"/> images by annealed Langevin dynamics from uniform noise in [0, 1], in batches of
    /// <paramref name="batch"/>, all from one generator seeded with <paramref name="seed"/>. Samples are returned in
    /// GenSharp's image range [-1, 1]; the recorded trajectory (first batch only) stays in the data space [0, 1].
    /// </summary>
    public static SamplerResult Draw(UNetScoreNetwork model, AnnealedLangevinConfig langevin, int n, long seed, Device device,
        bool quiet, SamplingObserver? observer = null, int batch = SamplingBatch)
    {
        model.eval();
        var sampler = new AnnealedLangevinDynamics(langevin);
        NoiseConditionalScore score = (x, sigma) => model.call(x, sigma);
        using var g = new Generator((ulong)seed, device);
        int perBatch = langevin.Sigmas.Length * langevin.StepsPerLevel;
        int batches = (n + batch - 1) / batch;
        using var progress = ProgressReporter.Start($"sampling {n} ({Label(langevin)})", (long)batches * perBatch, quiet);
        var parts = new List<Tensor>();
        var trajectory = new Dictionary<int, Tensor>();
        double seconds = 0;
        for (int b = 0; b < batches; b++)
        {
            int size = Math.Min(batch, n - b * batch);
            int done = b * perBatch;
            var batchObserver = new SamplingObserver(
                recordAt: b == 0 ? observer?.RecordAt : null,
                onStep: (k, _) => { if (k % 10 == 0) progress.Report(done + k); });
            using var x0 = rand([size, model.Config.InChannels, model.Config.Resolution, model.Config.Resolution], generator: g, device: device);
            var result = sampler.Run(score, x0, g, batchObserver);
            using (var raw = result.Samples) parts.Add(ImageNcsnData.ToImageRange(raw));
            foreach (var (k, v) in result.Trajectory) trajectory[k] = v;
            seconds += result.Seconds;
            progress.Report(done + perBatch);
        }
        var all = parts.Count == 1 ? parts[0] : cat(parts, 0);
        if (parts.Count > 1) foreach (var p in parts) p.Dispose();
        return new SamplerResult(all, langevin.FunctionEvaluations, seconds, trajectory);
    }

    internal static UNetScoreNetwork LoadEma(RunDirectory run, ImageNcsnConfig config, Device device)
    {
        string checkpoint = Checkpoint.FindLatest(run.CheckpointsDir)
            ?? throw new ConfigException($"{run.Root} has no checkpoint yet; train it first (gensharp train ncsn ... --resume)");
        var model = new UNetScoreNetwork(config.Network);
        model.to(device);
        Checkpoint.LoadModule(checkpoint, "ema", model);
        model.eval();
        return model;
    }

    private static void RefuseDiffusionSampler(SamplerSpec? spec)
    {
        if (spec is not null)
            throw new ConfigException("--sampler/--steps/--eta/--spacing/--variance apply to DDPM runs; an NCSN run samples by annealed Langevin dynamics (--T, --eps, --levels-used, --no-denoise)");
    }
}
