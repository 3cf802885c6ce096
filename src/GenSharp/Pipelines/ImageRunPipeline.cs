using System.Text;
using System.Text.Json;
using GenSharp.Data;
using GenSharp.Runtime;
using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Pipelines;

/// <summary>
/// One image-run pipeline for every image family (<see cref="IImageFamily{TConfig, TNet}"/>): it resolves a new run's config
/// (image shape, data hash, held-out split, environment), trains with the shared <see cref="Trainer"/> (AdamW, EMA, gradient
/// clipping, checkpoints, resume), draws sample grids from one fixed start noise and the FD curve beside its floor during
/// training, samples in batches for any n, writes eval.json after the final evaluation and report.html around the family's
/// sections. The family says only what is particular to it.
/// </summary>
public static class ImageRunPipeline<TConfig, TNet>
    where TConfig : ImageRunConfig
    where TNet : nn.Module
{
    /// <summary>Fills in what a fresh run measures once: image shape, data hash, held-out split, environment, and the family's own.</summary>
    public static TConfig Resolve(IImageFamily<TConfig, TNet> family, TConfig config, Device device)
    {
        config.Validate();
        // a plain IDX folder is stored as fashion-mnist:DIR
        config = (TConfig)(config with { Training = config.Training with { Data = DataSpec.Parse(config.Training.Data).Canonical } });
        config = (TConfig)(config with { HeldOut = RunImages.DeclareHeldOut(config.Training.Data, config.Training.Seed) });
        using var data = family.LoadTrain(config, null);
        if (config.Training.Batch > data.Count)
            throw new ConfigException($"--batch {config.Training.Batch}: larger than the {data.Count} training images");
        config = (TConfig)(config with
        {
            ImageShape = [data.Channels, data.Height, data.Width],
            DataHash = data.ContentHash,
            Environment = RunEnvironment.Capture(device),
        });
        return (TConfig)family.Complete(config, data).Validate();
    }

    /// <summary>Trains (or resumes) the run, then evaluates it and writes the report (null when the final evaluation is off).</summary>
    public static EvalOutcome? Train(IImageFamily<TConfig, TNet> family, TConfig config, RunDirectory run, Device device, bool resume, bool quiet,
        TextWriter? log = null)
    {
        log ??= Console.Error;
        using var data = family.LoadTrain(config, device);
        int[] shape = family.TrainingShape(config);
        if (data.Channels != shape[0] || data.Height != shape[1] || data.Width != shape[2])
            throw new ConfigException($"--data {config.Training.Data}: images are {data.Channels}x{data.Height}x{data.Width}, " +
                                      $"but the run was created for {string.Join("x", shape)}");
        if (!quiet && family.Describe(config) is string description) log.WriteLine(description);
        manual_seed(config.Training.Seed);
        using var rng = new Generator((ulong)config.Training.Seed, device);
        using var model = family.CreateNetwork(config);
        model.to(device);
        using var shadow = family.CreateNetwork(config);
        shadow.to(device);
        using var ema = new Ema(model, shadow, config.Training.EmaDecay);
        using var objective = family.CreateLoss(config, model, device);
        using var optimizer = new FusedAdamW(model.parameters(), config.Training.Lr, weight_decay: config.Training.WeightDecay);
        using var batches = new BatchSampler(data.Count, config.Training.Batch, config.Training.Seed);
        using var sampler = family.CreateSampler(config, shadow, device);

        var schedule = config.Training.Schedule();
        var trainerConfig = config.Training.LoopConfig();
        Tensor Loss(long step)
        {
            var indices = batches.BatchIndices(step).to(device);
            var x = data.Batch(indices);                                                                 // (B, C, H, W) in the family's range
            if (config.Flip)
                x = where(rand([x.shape[0], 1, 1, 1], generator: rng, device: device) < 0.5, x.flip(3), x);
            return objective.Loss(x, data.Labels?.index_select(0, indices), rng);                        // labels (B) or null
        }
        var metadata = new Dictionary<string, string> { ["config"] = JsonSerializer.Serialize(config, config.GetType(), JsonDefaults.Compact) };
        var trainer = new Trainer(trainerConfig, model, optimizer, schedule, ema, rng, run, Loss, metadata, objective.MixedPrecision);

        // sample grids from one fixed start noise, so that grids over training are comparable
        trainer.Every(config.Training.SampleEvery, step =>
        {
            using var samples = BatchedSampling.Draw(sampler, 64, config.Training.Seed + 1, device, quiet: true).Samples;
            string grid = Path.Combine(run.SamplesDir, $"step-{step:D8}.png");
            Output.ImageGrid.Save(samples, grid, columns: 8, scale: 2);
            trainer.AddImage("samples", grid);
        });
        using var curve = new ImageTrainingCurve(config, run, quiet, log);
        using var others = new OwnedSamplers(family.CurveSamplers(config, shadow, device));
        if (config.Training.EvalEvery > 0) trainer.Every(config.Training.EvalEvery, step => curve.Record(step, sampler, device, others.All));
        if (resume)
        {
            long from = trainer.Resume();
            if (!quiet)
                log.WriteLine(from > 0 ? $"resuming {run.Name} from step {from} of {config.Training.Steps}"
                                       : $"no checkpoint in {run.Name}; starting from step 0");
        }
        trainer.Run($"train {run.Name}", quiet);

        if (config.Training.FinalEvalSamples > 0)
            return Evaluate(family, run, new EvalRequest(config.Training.FinalEvalSamples, config.Training.Seed + 7, quiet, Figures: true), device);
        if (family.FiguresWithoutEvaluation)
        {
            using var network = LoadEma(family, run, config, device, out var emaSampler);
            using (emaSampler) family.WriteFigures(run, config, network, emaSampler, device, quiet);
        }
        ImageRunReport.Write(family, run, config, null);
        return null;
    }

    /// <summary><c>gensharp sample</c>: n images from the EMA weights in batches, as a PNG folder and a grid.</summary>
    public static SampleOutcome Sample(IImageFamily<TConfig, TNet> family, RunDirectory run, SampleRequest request, Device device)
    {
        if (request.N < 1) throw new ConfigException($"--n {request.N}: must be at least 1");
        var config = ReadConfig(run);
        using var network = LoadEma(family, run, config, device, out var sampler,
            new SamplingChoice(request.Sampler, request.Langevin, request.Guidance));
        using (sampler) return SampleFolder.Draw(run, request, sampler, device);
    }

    /// <summary>The run opened for sampling and scoring by family-independent commands (<see cref="IImageRunSource"/>).</summary>
    public static ImageRunHandle Open(IImageFamily<TConfig, TNet> family, RunDirectory run, SamplingChoice? choice, Device device)
    {
        var config = ReadConfig(run);
        var network = LoadEma(family, run, config, device, out var sampler, choice);
        return new ImageRunHandle(sampler, config.Training.Data, config.HeldOut, BatchedSampling.DefaultBatch,
            ImageRunHandle.CountParameters(network), network);
    }

    /// <summary><c>gensharp eval</c>: the final evaluation, eval.json, the family's figures and report.html.</summary>
    public static EvalOutcome Evaluate(IImageFamily<TConfig, TNet> family, RunDirectory run, EvalRequest request, Device device)
    {
        if (request.N < 10) throw new ConfigException($"--n {request.N}: must be at least 10");
        family.CheckEvaluation(request);
        var config = ReadConfig(run);
        using var network = LoadEma(family, run, config, device, out var sampler,
            new SamplingChoice(request.Sampler, request.Langevin, request.Guidance));
        using (sampler)
        {
            var evaluation = ImageRunEvaluation.Run(run, config, sampler, request, device);
            family.ExtendEvaluation(run, config, network, request, device, evaluation);
            evaluation.Json["metrics"] = evaluation.Metrics;
            evaluation.Json["evaluated_utc"] = DateTime.UtcNow.ToString("O");
            string evalJson = JsonSerializer.Serialize(evaluation.Json, JsonDefaults.Options) + "\n";
            AtomicFile.Write(run.EvalPath, s => s.Write(Encoding.UTF8.GetBytes(evalJson)));
            if (request.Figures) family.WriteFigures(run, config, network, sampler, device, request.Quiet);
            ImageRunReport.Write(family, run, config, evaluation);
            return new EvalOutcome(run.EvalPath, evaluation.Metrics, evaluation.Model?.Extractor);
        }
    }

    /// <summary>The run's config.json, validated.</summary>
    public static TConfig ReadConfig(RunDirectory run) => (TConfig)RunConfigFile.Read<TConfig>(run).Validate();

    /// <summary>
    /// The EMA network of the run's latest checkpoint in eval mode, and its sampler (created first, so that a sampler the run cannot
    /// honour is refused before a missing checkpoint is).
    /// </summary>
    public static TNet LoadEma(IImageFamily<TConfig, TNet> family, RunDirectory run, TConfig config, Device device, out IImageSampler sampler,
        SamplingChoice? choice = null)
    {
        var network = family.CreateNetwork(config);
        network.to(device);
        try
        {
            sampler = family.CreateSampler(config, network, device, choice);
            string checkpoint = Checkpoint.FindLatest(run.CheckpointsDir)
                ?? throw new ConfigException($"{run.Root} has no checkpoint yet; train it first (gensharp train {family.Verb} ... --resume)");
            try
            {
                Checkpoint.LoadModule(checkpoint, "ema", network);
            }
            catch
            {
                sampler.Dispose();
                throw;
            }
            network.eval();
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }
}
