using System.Text;
using System.Text.Json;
using GenSharp.Data;
using GenSharp.Diffusion.Samplers;
using GenSharp.Evaluation;
using GenSharp.Nn;
using GenSharp.Output;
using GenSharp.Runtime;
using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Diffusion.Images;

/// <summary>
/// DDPM on images, end to end (SPEC §2.1-2.3, §3.2, §7): the reference U-Net trained with L_simple,
/// AdamW, EMA and gradient clipping; sample grids and Fréchet distance during training; sampling with
/// any registered sampler (DDPM, DDIM, DPM-Solver++); evaluation against the held-out images in the
/// feature space of GenSharp's Fashion-MNIST classifier, always beside the real-vs-real floor.
/// </summary>
public sealed class ImageDdpmRecipe : IRunRecipe
{
    /// <summary>Images per sampler call (memory stays bounded for any --n).</summary>
    public const int SamplingBatch = 250;

    public string Kind => ImageDdpmConfig.Kind;

    /// <summary>Fills in what a fresh run measures once: image shape, data hash, environment.</summary>
    public static ImageDdpmConfig Resolve(ImageDdpmConfig config, Device device)
    {
        config.Validate();
        config = config with { Data = DataSpec.Parse(config.Data).Canonical }; // a plain IDX folder is stored as fashion-mnist:DIR
        using var data = ImageDdpmData.Train(config.Data);
        if (data.Height != data.Width)
            throw new ConfigException($"--data {config.Data}: images are {data.Width}x{data.Height}; the U-Net needs square images");
        return (config with
        {
            ImageShape = [data.Channels, data.Height, data.Width],
            Network = config.Network with { InChannels = data.Channels, Resolution = data.Height },
            DataHash = data.ContentHash,
            Environment = RunEnvironment.Capture(device),
        }).Validate();
    }

    /// <summary>Trains (or resumes) the run, then evaluates it and writes the report.</summary>
    public static EvalOutcome? Train(ImageDdpmConfig config, RunDirectory run, Device device, bool resume, bool quiet, TextWriter? log = null)
    {
        log ??= Console.Error;
        using var data = ImageDdpmData.Train(config.Data, device);
        if (data.Channels != config.ImageShape[0] || data.Height != config.ImageShape[1])
            throw new ConfigException($"--data {config.Data}: images are {data.Channels}x{data.Height}x{data.Width}, but the run was created for {string.Join("x", config.ImageShape)}");
        manual_seed(config.Seed);
        using var rng = new Generator((ulong)config.Seed, device);
        using var model = new UNet(config.Network);
        model.to(device);
        using var shadow = new UNet(config.Network);
        shadow.to(device);
        using var ema = new Ema(model, shadow, config.EmaDecay);
        using var mixed = config.Precision == TrainingPrecision.Bf16 ? new MixedPrecision(model, new UNet(config.Network).to(device)) : null;
        var working = (UNet?)mixed?.Working;
        using var diffusion = new GaussianDiffusion(new NoiseSchedule(config.Schedule, device));
        using var optimizer = new FusedAdamW(model.parameters(), config.Lr, weight_decay: config.WeightDecay);
        using var batches = new BatchSampler(data.Count, config.Batch, config.Seed);

        var schedule = new LearningRateSchedule(config.Lr, config.Steps, config.WarmupSteps, config.LrDecay);
        var trainerConfig = new TrainerConfig(config.Steps, config.Batch, config.GradClip, config.LogEvery, config.CheckpointEvery, TensorBoard: config.TensorBoard);
        Tensor Loss(long step)
        {
            var x0 = data.Batch(batches.BatchIndices(step).to(device));
            if (config.Flip)
                x0 = where(rand([x0.shape[0], 1, 1, 1], generator: rng, device: device) < 0.5, x0.flip(3), x0);
            return working is null
                ? diffusion.LossSimple((x, t) => model.call(x, t), x0, rng)
                : diffusion.LossSimple((x, t) => MixedPrecision.ToMaster(working.call(mixed!.ToWorking(x), t)), x0, rng); // bf16 network, fp32 loss
        }
        var trainer = new Trainer(trainerConfig, model, optimizer, schedule, ema, rng, run, Loss,
            new Dictionary<string, string> { ["config"] = JsonSerializer.Serialize(config, JsonDefaults.Compact) }, mixed);

        // sample grids from one fixed start noise, so that grids over training are comparable
        trainer.Every(config.SampleEvery, step =>
        {
            using var samples = Draw(shadow, diffusion, config.Sampler, 64, config.Seed + 1, device, quiet: true).Samples;
            ImageGrid.Save(samples, Path.Combine(run.SamplesDir, $"step-{step:D8}.png"), columns: 8, scale: 2);
        });

        // the metric-over-training curve: FD (and KID, precision, recall) of EvalSamples images, beside the floor at the same n.
        // The feature network is looked for at every evaluation until found (a missing file skips that point with a notice).
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
                    extractor = ImageDdpmEvaluation.TryLoadExtractor(config, notes);
                    if (extractor is null)
                    {
                        unusable = config.ImageShape is not [1, 28, 28];
                        if (!quiet) log.WriteLine($"step {step}: {notes.ToString().Trim()}");
                        return;
                    }
                    (referenceFeatures, floor) = ImageDdpmEvaluation.ReferenceFeatures(extractor, config, config.EvalSamples, config.Seed);
                }
                using var scope = NewDisposeScope();
                var drawn = Draw(shadow, diffusion, config.Sampler, config.EvalSamples, config.Seed + 3, device, quiet: true);
                var (features, logits) = extractor.Extract(drawn.Samples);
                var report = ImageMetrics.FromFeatures(extractor.Version, referenceFeatures!, features, logits, config.Seed);
                var record = new Dictionary<string, object?>
                {
                    ["step"] = step,
                    ["n"] = config.EvalSamples,
                    ["sampler"] = config.Sampler.Label,
                    ["features"] = extractor.Version,
                    ["fd_floor"] = floor,
                    ["sampling_s"] = Math.Round(drawn.Seconds, 2),
                };
                foreach (var (k, v) in report.ToDictionary()) record[k] = v;
                run.EvalCurve.Append(record);
                drawn.Samples.Dispose();
                if (!quiet) log.WriteLine($"step {step}: FD {report.FrechetDistance:F3} (floor {floor:F3}, {config.EvalSamples} samples, {config.Sampler.Label}, {drawn.Seconds:F0} s)");
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
        var request = new EvalRequest(Math.Max(config.FinalEvalSamples, 10), config.Seed + 7, quiet, BitsPerDimImages: 0, Figures: true);
        if (config.FinalEvalSamples == 0)
        {
            ImageDdpmReport.Write(run, config, null, device, quiet);
            return null;
        }
        return new ImageDdpmRecipe().Evaluate(run, request, device);
    }

    public SampleOutcome Sample(RunDirectory run, SampleRequest request, Device device)
    {
        if (request.N < 1) throw new ConfigException($"--n {request.N}: must be at least 1");
        var config = RunConfigFile.Read<ImageDdpmConfig>(run).Validate();
        var spec = (request.Sampler ?? config.Sampler).Validate(config.Schedule.Timesteps);
        using var model = LoadEma(run, config, device);
        using var diffusion = new GaussianDiffusion(new NoiseSchedule(config.Schedule, device));
        var result = Draw(model, diffusion, spec, request.N, request.Seed, device, request.Quiet);
        using var samples = result.Samples;
        string folder = request.Output ?? Path.Combine(run.SamplesDir, $"{spec.Label}-n{request.N}-seed{request.Seed}");
        PngFolder.Write(samples, folder);
        string grid = folder.TrimEnd('/') + ".png";
        ImageGrid.Save(samples.narrow(0, 0, Math.Min(request.N, 100)), grid, columns: 10, scale: 2);
        return new SampleOutcome([folder, grid], request.N, result.Seconds, result.FunctionEvaluations);
    }

    public EvalOutcome Evaluate(RunDirectory run, EvalRequest request, Device device)
    {
        var config = RunConfigFile.Read<ImageDdpmConfig>(run).Validate();
        var spec = (request.Sampler ?? config.Sampler).Validate(config.Schedule.Timesteps);
        if (request.N < 10) throw new ConfigException($"--n {request.N}: must be at least 10");
        using var model = LoadEma(run, config, device);
        using var diffusion = new GaussianDiffusion(new NoiseSchedule(config.Schedule, device));
        var evaluation = ImageDdpmEvaluation.Run(run, config, model, diffusion, spec, request, device);
        string evalJson = JsonSerializer.Serialize(evaluation.Json, JsonDefaults.Options) + "\n";
        AtomicFile.Write(run.EvalPath, s => s.Write(Encoding.UTF8.GetBytes(evalJson)));
        if (request.Figures) ImageDdpmFigures.WriteAll(run, config, model, diffusion, device, request.Quiet);
        ImageDdpmReport.Write(run, config, evaluation, device, request.Quiet);
        return new EvalOutcome(run.EvalPath, evaluation.Metrics, evaluation.Model?.Extractor);
    }

    /// <summary>
    /// Samples <paramref name="n"/> images with <paramref name="spec"/> in batches of <see cref="SamplingBatch"/>,
    /// all from one generator seeded with <paramref name="seed"/> (so a seed fixes every start noise).
    /// </summary>
    public static SamplerResult Draw(UNet model, GaussianDiffusion diffusion, SamplerSpec spec, int n, long seed, Device device,
        bool quiet, SamplingObserver? observer = null, int batch = SamplingBatch)
    {
        model.eval();
        var sampler = spec.Create(diffusion);
        var shape = new long[] { 0, model.Config.InChannels, model.Config.Resolution, model.Config.Resolution };
        using var g = new Generator((ulong)seed, device);
        int perBatch = spec.FunctionEvaluations(diffusion.Timesteps);
        int batches = (n + batch - 1) / batch;
        using var progress = ProgressReporter.Start($"sampling {n} ({spec.Label})", (long)batches * perBatch, quiet);
        var parts = new List<Tensor>();
        var trajectory = new Dictionary<int, Tensor>();
        double seconds = 0;
        int evaluations = 0;
        for (int b = 0; b < batches; b++)
        {
            int size = Math.Min(batch, n - b * batch);
            int done = b * perBatch;
            var batchObserver = new SamplingObserver(
                recordAt: b == 0 ? observer?.RecordAt : null,
                onStep: (k, _) => { if (k % 10 == 0) progress.Report(done + k); });
            shape[0] = size;
            var result = sampler.Sample((x, t) => model.call(x, t), shape, g, device, batchObserver);
            parts.Add(result.Samples);
            if (b == 0) foreach (var (k, v) in result.Trajectory) trajectory[k] = v;
            seconds += result.Seconds;
            evaluations = result.FunctionEvaluations;
            progress.Report(done + perBatch);
        }
        var all = parts.Count == 1 ? parts[0] : cat(parts, 0);
        if (parts.Count > 1) foreach (var p in parts) p.Dispose();
        return new SamplerResult(all, evaluations, seconds, trajectory);
    }

    internal static UNet LoadEma(RunDirectory run, ImageDdpmConfig config, Device device)
    {
        string checkpoint = Checkpoint.FindLatest(run.CheckpointsDir)
            ?? throw new ConfigException($"{run.Root} has no checkpoint yet; train it first (gensharp train ddpm ... --resume)");
        var model = new UNet(config.Network);
        model.to(device);
        Checkpoint.LoadModule(checkpoint, "ema", model);
        model.eval();
        return model;
    }
}
