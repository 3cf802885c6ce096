using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GenSharp.Data.Toy;
using GenSharp.Diffusion.Conditioning;
using GenSharp.Diffusion.Samplers;
using GenSharp.Evaluation;
using GenSharp.Nn;
using GenSharp.Runtime;
using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Diffusion.Toy;

/// <summary>
/// DDPM on 2D toy data, end to end (docs/ddpm.md, docs/samplers.md): an MLP noise predictor with a sinusoidal time
/// embedding, L_simple with EMA, ancestral sampling with no noise on the last step, and exact metrics
/// against the true density. Data are standardised per dimension before diffusion (the schedule
/// assumes roughly unit scale) and samples are mapped back.
/// </summary>
public sealed class ToyDdpmRecipe : IRunRecipe
{
    /// <summary>File name of a user-defined mixture copied into the run directory.</summary>
    public const string MixtureFileName = "mixture.json";

    /// <summary>EMA samples in each scatter figure during training.</summary>
    private const int ScatterSamples = 2000;

    public string Kind => ToyDdpmConfig.Kind;

    /// <summary>
    /// For <c>toy:FILE.json</c> data, copies the mixture into the run directory (<see cref="MixtureFileName"/>) and records
    /// it in <see cref="ToyDdpmConfig.MixtureFile"/>, so that sample and eval work from any folder and after the original
    /// file has moved. Built-in toys are returned unchanged.
    /// </summary>
    public static ToyDdpmConfig CopyMixtureInto(ToyDdpmConfig config, RunDirectory run)
    {
        string spec = config.Training.Data["toy:".Length..];
        if (!ToyRegistry.IsMixtureFile(spec)) return config;
        File.Copy(spec, Path.Combine(run.Root, MixtureFileName), overwrite: true);
        return config with { MixtureFile = MixtureFileName };
    }

    /// <summary>The run's data distribution: its copied mixture if it has one, otherwise <c>--data</c> resolved as given.</summary>
    public static IToyDistribution Distribution(ToyDdpmConfig config, RunDirectory run) =>
        config.MixtureFile is { } file
            ? ToyMixtureFile.Load(Path.Combine(run.Root, file))
            : ToyRegistry.Resolve(config.Training.Data["toy:".Length..]);

    /// <summary>Fills in what a fresh run measures once: data standardisation, data hash, environment.</summary>
    public static ToyDdpmConfig Resolve(ToyDdpmConfig config, torch.Device device)
    {
        config.Validate();
        var distribution = ToyRegistry.Resolve(config.Training.Data["toy:".Length..]);
        using var scope = NewDisposeScope();
        using var g = new Generator(12345, torch.CPU);
        var x = distribution.Sample(200_000, g).to_type(ScalarType.Float64);
        var mean = x.mean([0]).data<double>().ToArray();
        var std = x.std([0]).data<double>().ToArray();
        return config with
        {
            DataMean = mean,
            DataStd = std,
            DataHash = DataHash(config.Training.Data, distribution),
            Conditioning = ToyConditional.WithComponents(config.Conditioning, distribution),
            Environment = RunEnvironment.Capture(device),
        };
    }

    /// <summary>Trains (or resumes) the run, then samples, evaluates and writes the report.</summary>
    public static EvalOutcome Train(ToyDdpmConfig config, RunDirectory run, torch.Device device, bool resume, bool quiet)
    {
        var distribution = Distribution(config, run);
        torch.manual_seed(config.Training.Seed);
        using var rng = new Generator((ulong)config.Training.Seed, device);
        int classes = config.Conditioning?.Classes ?? 0;
        using var model = new MlpNoisePredictor(config.Network, classes);
        model.to(device);
        using var shadowModel = new MlpNoisePredictor(config.Network, classes);
        shadowModel.to(device);
        using var ema = new Ema(model, shadowModel, config.Training.EmaDecay);
        using var diffusion = new GaussianDiffusion(new NoiseSchedule(config.Schedule, device));
        using var optimizer = new FusedAdamW(model.parameters(), config.Training.Lr, weight_decay: config.Training.WeightDecay);
        using var mean = tensor(config.DataMean, device: device).to_type(ScalarType.Float32);
        using var std = tensor(config.DataStd, device: device).to_type(ScalarType.Float32);

        var schedule = config.Training.Schedule();
        var trainerConfig = config.Training.LoopConfig();
        Tensor Loss(long step)
        {
            if (config.Conditioning is not null) return ToyConditional.Loss(config, model, diffusion, distribution, mean, std, rng, device);
            var x0 = (distribution.Sample(config.Training.Batch, rng, device) - mean) / std;
            return config.Objective.Loss(diffusion, (x, t) => model.call(x, t), x0, rng);
        }
        var trainer = new Trainer(trainerConfig, model, optimizer, schedule, ema, rng, run, Loss,
            new Dictionary<string, string> { ["config"] = JsonSerializer.Serialize(config, JsonDefaults.Compact) });
        // EMA samples during training, all from one start noise (seed + 1): a scatter figure every SampleEvery steps
        // (ScatterSamples points) and the metric-over-training curve every CurveEvery() steps (CurveSamples points against as
        // many true samples). One draw serves both when they fall on the same step with the same n (the defaults).
        (long Step, Tensor Samples)? last = null;
        Tensor EmaSamples(long step, int n)
        {
            if (last is { } l && l.Step == step && l.Samples.shape[0] == n) return l.Samples;
            last?.Samples.Dispose();
            using var g = new Generator((ulong)(config.Training.Seed + 1), device);
            var samples = DrawSamples(config, shadowModel, diffusion, n, g, device, quiet: true).Samples;
            last = (step, samples);
            return samples;
        }
        trainer.Every(config.Training.SampleEvery, step =>
        {
            string figure = Path.Combine(run.SamplesDir, $"step-{step:D8}.png");
            ToyDdpmReport.WriteSampleScatter(EmaSamples(step, ScatterSamples), distribution, figure, $"EMA samples at step {step}");
            trainer.AddImage("samples", figure);
        });
        using var gReference = new Generator((ulong)(config.Training.Seed + 2), CPU);
        using var reference = distribution.Sample(config.Training.EvalSamples, gReference);
        if (config.Training.EvalEvery > 0)
        {
            trainer.Every(config.Training.EvalEvery, step =>
            {
                var m = Toy2DMetrics.Evaluate(EmaSamples(step, config.Training.EvalSamples).cpu(), distribution, reference, config.Training.Seed);
                var record = new Dictionary<string, object?> { ["step"] = step, ["n"] = config.Training.EvalSamples };
                foreach (var (k, v) in m.ToDictionary()) record[k] = v;
                run.EvalCurve.Append(record);
            });
        }
        try
        {
            if (resume)
            {
                long from = trainer.Resume();
                if (!quiet) Console.Error.WriteLine(from > 0 ? $"resuming {run.Name} from step {from} of {config.Training.Steps}"
                    : $"no checkpoint in {run.Name}; starting from step 0");
            }
            trainer.Run($"train {run.Name}", quiet);
        }
        finally
        {
            last?.Samples.Dispose();
        }
        return new ToyDdpmRecipe().Evaluate(run, new EvalRequest(config.Training.FinalEvalSamples, config.Training.Seed + 7, quiet), device);
    }

    public SampleOutcome Sample(RunDirectory run, SampleRequest request, torch.Device device)
    {
        if (request.N < 1) throw new ConfigException($"--n {request.N}: must be at least 1");
        var config = RunConfigFile.Read<ToyDdpmConfig>(run).Validate();
        var distribution = Distribution(config, run);
        request.Guidance?.RefuseIfUnconditional(config.Conditioning, run.Root);
        if (request.Guidance?.Sweep is not null) throw new ConfigException("--guidance-sweep: applies to eval only");
        using var model = LoadEma(run, config, device);
        using var diffusion = new GaussianDiffusion(new NoiseSchedule(config.Schedule, device));
        using var g = new Generator((ulong)request.Seed, device);
        var guidance = config.Conditioning is { } c ? (request.Guidance ?? new()).Resolve(c) : null;
        var result = DrawSamples(config, model, diffusion, request.N, g, device, request.Quiet, sampler: request.Sampler, guidance: guidance);
        using var samples = result.Samples;
        // named by what drew them, as image runs name their folders: another sampler or weight never replaces these
        string label = ToySpec(config, request.Sampler).Label + (guidance is null ? "" : "-" + guidance.Label);
        string csv = request.Output ?? Path.Combine(run.SamplesDir, $"{label}-n{request.N}-seed{request.Seed}.csv");
        WriteCsv(samples, csv);
        string png = Output.CompanionPath.Png(csv);
        ToyDdpmReport.WriteSampleScatter(samples, distribution, png, $"{request.N} samples (seed {request.Seed})");
        return new SampleOutcome([csv, png], request.N, result.Seconds, result.FunctionEvaluations);
    }

    public EvalOutcome Evaluate(RunDirectory run, EvalRequest request, torch.Device device)
    {
        if (request.N < 100) throw new ConfigException($"--n {request.N}: must be at least 100 for stable metrics");
        var config = RunConfigFile.Read<ToyDdpmConfig>(run).Validate();
        var distribution = Distribution(config, run);
        request.Guidance?.RefuseIfUnconditional(config.Conditioning, run.Root);
        using var model = LoadEma(run, config, device);
        using var diffusion = new GaussianDiffusion(new NoiseSchedule(config.Schedule, device));
        using var g = new Generator((ulong)request.Seed, device);
        var recordAt = new[] { config.Schedule.Timesteps - 1, config.Schedule.Timesteps * 3 / 4, config.Schedule.Timesteps / 2,
            config.Schedule.Timesteps / 4, config.Schedule.Timesteps / 10, 0 };
        var spec = ToySpec(config, request.Sampler);
        var guidance = config.Conditioning is { } cc ? (request.Guidance ?? new()).Resolve(cc) : null;
        var result = DrawSamples(config, model, diffusion, request.N, g, device, request.Quiet, spec.Name == "ddpm" ? recordAt : null, spec,
            guidance);
        using var samples = result.Samples;
        using var gTrue = new Generator((ulong)(request.Seed + 1_000_003), torch.CPU);
        using var reference = distribution.Sample(request.N, gTrue);
        var report = Toy2DMetrics.Evaluate(samples.cpu(), distribution, reference, request.Seed);

        var metrics = new Dictionary<string, double?>(report.ToDictionary())
        {
            ["samples_per_s"] = request.N / Math.Max(result.Seconds, 1e-9),
            ["sampling_s"] = result.Seconds,
            ["function_evaluations"] = result.FunctionEvaluations,
        };
        var evalJson = new Dictionary<string, object?>
        {
            ["run"] = run.Name,
            ["model"] = config.Model,
            ["data"] = config.Training.Data,
            ["n"] = request.N,
            ["seed"] = request.Seed,
            ["sampler"] = spec.Label,
            ["metrics"] = metrics,
            ["evaluated_utc"] = DateTime.UtcNow.ToString("O"),
        };
        if (guidance is not null)
            ToyConditionalReport.AddToEvaluation(config, model, diffusion, spec, distribution, request, device, evalJson, metrics);
        AtomicFile.Write(run.EvalPath, s => s.Write(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(evalJson, JsonDefaults.Options) + "\n")));
        ToyDdpmReport.Write(run, config, distribution, samples, reference, report, metrics, result, spec);
        foreach (var t in result.Trajectory.Values) t.Dispose();
        return new EvalOutcome(run.EvalPath, metrics);
    }

    /// <summary>Ancestral DDPM sampling in standardised space, mapped back to data space.</summary>
    internal static SamplerResult DrawSamples(
        ToyDdpmConfig config, MlpNoisePredictor model, GaussianDiffusion diffusion, int n, Generator g,
        torch.Device device, bool quiet, IReadOnlyList<int>? recordAt = null, SamplerSpec? sampler = null, GuidedSampling? guidance = null)
    {
        model.eval();
        using var mean = tensor(config.DataMean, device: device).to_type(ScalarType.Float32);
        using var std = tensor(config.DataStd, device: device).to_type(ScalarType.Float32);
        var spec = ToySpec(config, sampler);
        int steps = spec.FunctionEvaluations(config.Schedule.Timesteps);
        using var progress = Output.ProgressReporter.Start($"sampling {n} ({spec.Label})", steps, quiet);
        var observer = new SamplingObserver(
            recordAt: recordAt,
            onStep: (done, total) => { if (done % 50 == 0 || done == total) progress.Report(done); });
        var result = model.Classes > 0 // a conditional network samples guided (the run's own w and random components unless asked)
            ? ToyConditional.Sample(model, spec.Create(diffusion), n, config.Network.DataDim, g, device, observer,
                guidance ?? ToyConditional.Default(config.Conditioning!))
            : spec.Create(diffusion).Sample(
                config.Objective.AsEps((x, t) => Nn.RowChunks.Apply(model.call, x, t), diffusion.Schedule), [n, config.Network.DataDim], g, device,
                observer); // bounded memory for any n
        var unscaled = result.Samples * std + mean;
        result.Samples.Dispose();
        var trajectory = result.Trajectory.ToDictionary(kv => kv.Key, kv =>
        {
            var u = kv.Value * std + mean;
            kv.Value.Dispose();
            return u;
        });
        return result with { Samples = unscaled, Trajectory = trajectory };
    }

    /// <summary>The run's ancestral sampler unless another is asked for; never clips (toy data are not bounded).</summary>
    private static SamplerSpec ToySpec(ToyDdpmConfig config, SamplerSpec? requested) =>
        (requested ?? new SamplerSpec("ddpm", config.Schedule.Timesteps, 1.0, "leading", config.SamplerVariance))
            .Validate(config.Schedule.Timesteps) with { ClipX0 = false };

    private static MlpNoisePredictor LoadEma(RunDirectory run, ToyDdpmConfig config, torch.Device device)
    {
        string checkpoint = Checkpoint.FindLatest(run.CheckpointsDir)
            ?? throw new ConfigException($"{run.Root} has no checkpoint yet; train it first (gensharp train ddpm ... --resume)");
        var model = new MlpNoisePredictor(config.Network, config.Conditioning?.Classes ?? 0);
        model.to(device);
        Checkpoint.LoadModule(checkpoint, "ema", model);
        model.eval();
        return model;
    }

    private static void WriteCsv(Tensor samples, string path)
    {
        var values = samples.cpu().to_type(ScalarType.Float32).data<float>().ToArray();
        int d = (int)samples.shape[1];
        var sb = new StringBuilder(d == 2 ? "x1,x2\n" : string.Join(",", Enumerable.Range(1, d).Select(i => $"x{i}")) + "\n");
        for (int i = 0; i < values.Length; i += d)
            sb.AppendJoin(',', values.Skip(i).Take(d).Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))).Append('\n');
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        AtomicFile.Write(path, s => s.Write(Encoding.UTF8.GetBytes(sb.ToString())));
    }

    private static string DataHash(string spec, IToyDistribution distribution)
    {
        byte[] bytes = distribution is GaussianMixture2D mixture
            ? Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { mixture.Weights, mixture.Means, mixture.Covariances }))
            : Encoding.UTF8.GetBytes(spec);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }
}
