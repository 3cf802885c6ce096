using System.Text.Json;
using GenSharp.Data;
using GenSharp.Evaluation;
using GenSharp.Output;
using GenSharp.Pipelines;
using GenSharp.Runtime;
using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Gan;

/// <summary>
/// GANs on Fashion-MNIST end to end (docs/gans.md): the seed-002 networks, any objective of
/// <see cref="Losses.GanLosses"/> with optional instance noise, per-epoch sample grids and (when the
/// feature network is present) per-epoch FD, KID, precision/recall and the predicted-class histogram,
/// so that mode collapse shows up as a number and a picture; the final evaluation and report.
/// </summary>
public sealed class GanRecipe : IRunRecipe, IImageRunSource
{
    public string Kind => GanConfig.Kind;

    /// <summary>Fills in the objective's optimiser defaults, the data hash and the environment.</summary>
    public static GanConfig Resolve(GanConfig config, Device device)
    {
        config = config.Validate().WithLossDefaults().Validate();
        using var train = LoadTrain(config, null);
        if (config.Training.Batch > train.Count)
            throw new ConfigException($"--batch {config.Training.Batch}: larger than the {train.Count} training images");
        return config with { DataHash = train.ContentHash, Environment = RunEnvironment.Capture(device) };
    }

    /// <summary>Trains (or resumes) the run, then evaluates it and writes the report.</summary>
    public static EvalOutcome Train(GanConfig config, RunDirectory run, Device device, bool resume, bool quiet, TextWriter log)
    {
        using var train = LoadTrain(config, device);
        manual_seed(config.Training.Seed);
        using var rng = new Generator((ulong)config.Training.Seed, device);
        using var pair = new GanPair(config.Network);
        pair.to(device);
        using var shadow = config.Training.EmaDecay > 0 ? new PixelShuffleGenerator(config.Network) : null;
        shadow?.to(device);
        using var ema = shadow is null ? null : new Ema(pair.Generator, shadow, config.Training.EmaDecay);
        var loss = config.CreateLoss();
        using var gOpt = MakeOptimizer(config, pair.Generator.parameters());
        using var dOpt = MakeOptimizer(config, pair.Discriminator.parameters());
        using var step = new GanStep(config, pair, loss, gOpt, dOpt, rng, train);
        var metadata = new Dictionary<string, string> { ["config"] = JsonSerializer.Serialize(config, JsonDefaults.Compact) };
        var trainer = new Trainer(step.TrainerConfig(), pair, step, null, ema, rng, run, metadata).AlsoCheckpointEvery(step.StepsPerEpoch);

        using var epochEval = EpochImageEvaluation.TryCreate(config.Training.EvalSamples, config.Training.FinalEvalSamples, config.DataDir(),
            device, config.Training.Seed, log);
        trainer.Every(step.StepsPerEpoch, done =>
        {
            int epoch = (int)Math.Ceiling((double)done / step.StepsPerEpoch);
            var generator = SamplingGenerator(pair, shadow);
            using (var gz = new Generator((ulong)config.Training.Seed + 1, device))
            using (var grid = Generate(generator, 64, gz, device))
                ImageGrid.Save(grid, Path.Combine(run.SamplesDir, $"epoch-{epoch:D3}.png"), columns: 8, scale: 2);
            if (epochEval is null) return;
            using var gEval = new Generator((ulong)config.Training.Seed + 2, device);
            using var samples = Generate(generator, epochEval.N, gEval, device);
            var record = new Dictionary<string, object?> { ["step"] = done, ["epoch"] = epoch };
            var m = epochEval.AddTo(record, samples, run, epoch, config.Training.Seed);
            run.EvalCurve.Append(record);
            if (!quiet) log.WriteLine($"epoch {epoch}: {epochEval.Summary(m)}");
        });
        if (resume)
        {
            long from = trainer.Resume();
            if (!quiet)
                log.WriteLine(from > 0
                    ? $"resuming {run.Name} from step {from} of {step.TotalSteps}"
                    : $"no checkpoint in {run.Name}; starting from step 0");
        }
        if (!quiet)
            log.WriteLine($"{config.Loss}: {step.StepsPerEpoch} generator steps per epoch ({step.NCritic} critic step(s) each, " +
                $"batch {step.Batch}), {step.TotalSteps} in all");
        trainer.Run($"train {run.Name}", quiet);
        return new GanRecipe().Evaluate(run, new EvalRequest(config.Training.FinalEvalSamples, config.Training.Seed + 7, quiet), device);
    }

    public SampleOutcome Sample(RunDirectory run, SampleRequest request, Device device)
    {
        if (request.N < 1) throw new ConfigException($"--n {request.N}: must be at least 1");
        var config = RunConfigFile.Read<GanConfig>(run).Validate();
        using var loaded = LoadGenerator(run, config, device);
        using var sampler = new GanImageSampler(loaded.Generator, device);
        return SampleFolder.Draw(run, request, sampler, device, prefix: "samples", batch: GanImageSampler.Batch);
    }

    public ImageRunHandle Open(RunDirectory run, SamplingChoice? choice, Device device)
    {
        var config = RunConfigFile.Read<GanConfig>(run).Validate();
        var loaded = LoadGenerator(run, config, device);
        var generator = loaded.Generator;
        string data = new DataSpec.FashionMnistFiles(config.DataDir()).Canonical;
        return new ImageRunHandle(new GanImageSampler(generator, device), data, null, GanImageSampler.Batch,
            ImageRunHandle.CountParameters(generator), loaded);
    }

    public EvalOutcome Evaluate(RunDirectory run, EvalRequest request, Device device)
    {
        var config = RunConfigFile.Read<GanConfig>(run).Validate();
        GeneratorEvaluation.CheckSize(request);
        using var loaded = LoadGenerator(run, config, device);
        using var sampler = new GanImageSampler(loaded.Generator, device);
        using var result = GeneratorEvaluation.Run(run, config.DataDir(), request, sampler, [], Path.Combine(run.PlotsDir, "class-histogram.png"),
            device,
            GanImageSampler.Batch);
        using (var first = result.Samples.narrow(0, 0, 100)) ImageGrid.Save(first, Path.Combine(run.PlotsDir, "samples.png"), columns: 10, scale: 2);
        GeneratorEvaluation.WriteEvalJson(run, config.Model, request, result, [("loss", config.Loss)]);
        GanReport.Write(run, config, result.Metrics, result.SkippedReason, result.Scores, result.Baselines);
        return new EvalOutcome(run.EvalPath, result.Metrics, result.Features);
    }

    /// <summary>n images (N, 1, 28, 28) in [-1, 1] on the CPU from z ~ N(0, I), generator in eval mode, in batches.</summary>
    public static Tensor Generate(PixelShuffleGenerator generator, int n, Generator rng, Device device, int batch = 500)
    {
        bool wasTraining = generator.training;
        generator.eval();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var parts = new List<Tensor>();
        for (int s = 0; s < n; s += batch)
        {
            int m = Math.Min(batch, n - s);
            parts.Add(generator.call(randn([m, generator.Config.ZDim], generator: rng, device: device)).cpu());
        }
        if (wasTraining) generator.train();
        return cat(parts, 0).MoveToOuterDisposeScope();
    }

    internal static optim.Optimizer MakeOptimizer(GanConfig config, IEnumerable<TorchSharp.Modules.Parameter> parameters) => config.Optimizer switch
    {
        "rmsprop" => optim.RMSProp(parameters, config.Training.Lr),
        _ => optim.Adam(parameters, config.Training.Lr, config.Beta1!.Value, config.Beta2!.Value),
    };

    private static PixelShuffleGenerator SamplingGenerator(GanPair pair, PixelShuffleGenerator? shadow) => shadow ?? pair.Generator;

    private static ImageDataset LoadTrain(GanConfig config, Device? device) =>
        FashionMnist.Load(FashionMnistSplit.Train, config.DataDir(), PixelRange.MinusOneToOne, config.TrainLimit > 0 ? config.TrainLimit : null,
            device);

    /// <summary>The sampling generator of a run's latest checkpoint: the EMA copy if the run keeps one, otherwise the trained generator.</summary>
    private static LoadedGenerator LoadGenerator(RunDirectory run, GanConfig config, Device device)
    {
        string checkpoint = Checkpoint.FindLatest(run.CheckpointsDir)
            ?? throw new ConfigException($"{run.Root} has no checkpoint yet; train it first (gensharp train gan ... --resume)");
        var pair = new GanPair(config.Network);
        pair.to(device);
        Checkpoint.LoadModule(checkpoint, "model", pair);
        if (config.Training.EmaDecay <= 0) return new LoadedGenerator(pair, null);
        var shadow = new PixelShuffleGenerator(config.Network);
        shadow.to(device);
        Checkpoint.LoadModule(checkpoint, "ema", shadow);
        return new LoadedGenerator(pair, shadow);
    }

    private sealed class LoadedGenerator(GanPair pair, PixelShuffleGenerator? shadow) : IDisposable
    {
        public PixelShuffleGenerator Generator => shadow ?? pair.Generator;

        public void Dispose()
        {
            shadow?.Dispose();
            pair.Dispose();
        }
    }
}
