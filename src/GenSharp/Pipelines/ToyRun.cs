using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GenSharp.Data.Toy;
using GenSharp.Diffusion.Samplers;
using GenSharp.Evaluation;
using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Pipelines;

/// <summary>
/// What every 2D toy run shares, whatever its family (the toy DDPM, docs/ddpm.md; the toy VDM, docs/vdm.md#toys): its data (a built-in
/// toy or a mixture file copied into the run), the per-dimension standardisation measured once, the data hash, the EMA scatter figures
/// and exact-metric curve during training, the exact metrics of the final samples (docs/evaluation.md) and the samples' CSV.
/// </summary>
public static class ToyRun
{
    /// <summary>File name of a user-defined mixture copied into the run directory.</summary>
    public const string MixtureFileName = "mixture.json";

    /// <summary>EMA samples in each scatter figure during training.</summary>
    public const int ScatterSamples = 2000;

    /// <summary>The toy's spec, <c>NAME</c> or <c>FILE.json</c>, from <c>--data toy:SPEC</c>.</summary>
    public static string Spec(string data) => data["toy:".Length..];

    /// <summary>Checks the shared settings of a toy run of <paramref name="family"/> (e.g. "the 2D DDPM"), which counts optimiser steps.</summary>
    public static void ValidateTraining(TrainingSettings training, string family)
    {
        if (!training.Data.StartsWith("toy:", StringComparison.Ordinal))
            throw new ConfigException($"--data {training.Data}: {family} trains on toy data; use toy:NAME (e.g. toy:mog2) or toy:FILE.json");
        training.Validate();
        if (training.Epochs > 0) throw new ConfigException($"--epochs {training.Epochs}: {family} counts optimiser steps; use --steps");
        if (training.EvalSamples < 100) throw new ConfigException($"--eval-n {training.EvalSamples}: must be at least 100 for stable metrics");
        if (training.FinalEvalSamples < 100)
            throw new ConfigException($"--final-eval-n {training.FinalEvalSamples}: must be at least 100 for stable metrics");
    }

    /// <summary>A sampling observer that records the states at <paramref name="recordAt"/> and reports every 50th step to
    /// <paramref name="progress"/>.</summary>
    public static SamplingObserver Observer(Output.ProgressReporter progress, IReadOnlyList<int>? recordAt) => new(
        recordAt: recordAt,
        onStep: (done, total) => { if (done % 50 == 0 || done == total) progress.Report(done); });

    /// <summary>Samples and trajectory drawn in standardised space, mapped back to data space (x std + mean); the inputs are disposed.</summary>
    public static SamplerResult Unstandardise(SamplerResult result, double[] dataMean, double[] dataStd)
    {
        var device = result.Samples.device;
        using var mean = tensor(dataMean, device: device).to_type(ScalarType.Float32);
        using var std = tensor(dataStd, device: device).to_type(ScalarType.Float32);
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

    /// <summary>
    /// For <c>toy:FILE.json</c> data, copies the mixture into the run directory (<see cref="MixtureFileName"/>) and records it in
    /// <see cref="ToyRunConfig.MixtureFile"/>, so that sample and eval work from any folder and after the original file has moved.
    /// Built-in toys are returned unchanged.
    /// </summary>
    public static T CopyMixtureInto<T>(T config, RunDirectory run) where T : ToyRunConfig
    {
        string spec = Spec(config.Training.Data);
        if (!ToyRegistry.IsMixtureFile(spec)) return config;
        File.Copy(spec, Path.Combine(run.Root, MixtureFileName), overwrite: true);
        return (T)(config with { MixtureFile = MixtureFileName });
    }

    /// <summary>The run's data distribution: its copied mixture if it has one, otherwise <c>--data</c> resolved as given.</summary>
    public static IToyDistribution Distribution(ToyRunConfig config, RunDirectory run) =>
        config.MixtureFile is { } file ? ToyMixtureFile.Load(Path.Combine(run.Root, file)) : ToyRegistry.Resolve(Spec(config.Training.Data));

    /// <summary>
    /// <paramref name="config"/> with what a fresh run measures once: the per-dimension mean and standard deviation of 200,000 seeded
    /// samples (the data are standardised with them), the data hash and the environment.
    /// </summary>
    public static T Measured<T>(T config, Device device) where T : ToyRunConfig
    {
        var distribution = ToyRegistry.Resolve(Spec(config.Training.Data));
        using var scope = NewDisposeScope();
        using var g = new Generator(12345, CPU);
        var x = distribution.Sample(200_000, g).to_type(ScalarType.Float64);
        return (T)(config with
        {
            DataMean = x.mean([0]).data<double>().ToArray(),
            DataStd = x.std([0]).data<double>().ToArray(),
            DataHash = DataHash(config.Training.Data, distribution),
            Environment = Runtime.RunEnvironment.Capture(device),
        });
    }

    /// <summary>Resumes the trainer's run from its last checkpoint when asked (saying from where), then trains to the end.</summary>
    public static void Train(Trainer trainer, RunDirectory run, long steps, bool resume, bool quiet)
    {
        if (resume)
        {
            long from = trainer.Resume();
            if (!quiet) Console.Error.WriteLine(from > 0 ? $"resuming {run.Name} from step {from} of {steps}"
                : $"no checkpoint in {run.Name}; starting from step 0");
        }
        trainer.Run($"train {run.Name}", quiet);
    }

    /// <summary>
    /// EMA samples during training, all from one start noise (seed + 1): a scatter figure every SampleEvery steps (ScatterSamples
    /// points) and the exact-metric curve every EvalEvery steps (EvalSamples points against as many true samples). One draw serves both
    /// when they fall on the same step with the same n. <paramref name="draw"/> gives n EMA samples in data space. Dispose the result
    /// after training.
    /// </summary>
    public static IDisposable AddTrainingFigures(Trainer trainer, TrainingSettings training, RunDirectory run, IToyDistribution distribution,
        Device device, Func<int, Generator, Tensor> draw)
    {
        var cache = new SampleCache();
        Tensor EmaSamples(long step, int n)
        {
            if (cache.Last is { } l && l.Step == step && l.Samples.shape[0] == n) return l.Samples;
            cache.Forget();
            using var g = new Generator((ulong)(training.Seed + 1), device);
            cache.Last = (step, draw(n, g));
            return cache.Last.Value.Samples;
        }
        trainer.Every(training.SampleEvery, step =>
        {
            string figure = Path.Combine(run.SamplesDir, $"step-{step:D8}.png");
            ToyRunReport.WriteSampleScatter(EmaSamples(step, ScatterSamples), distribution, figure, $"EMA samples at step {step}");
            trainer.AddImage("samples", figure);
        });
        if (training.EvalEvery <= 0) return cache;
        using (var gReference = new Generator((ulong)(training.Seed + 2), CPU))
            cache.Reference = distribution.Sample(training.EvalSamples, gReference);
        trainer.Every(training.EvalEvery, step =>
        {
            var m = Toy2DMetrics.Evaluate(EmaSamples(step, training.EvalSamples).cpu(), distribution, cache.Reference!, training.Seed);
            var record = new Dictionary<string, object?> { ["step"] = step, ["n"] = training.EvalSamples };
            foreach (var (k, v) in m.ToDictionary()) record[k] = v;
            run.EvalCurve.Append(record);
        });
        return cache;
    }

    /// <summary>
    /// The exact metrics of <paramref name="result"/>'s samples against as many true samples (seed + 1,000,003), and eval.json's
    /// common fields. The caller adds its own, then writes with <see cref="WriteEval"/>.
    /// </summary>
    public static ToyScore Score(RunDirectory run, string model, string data, IToyDistribution distribution, EvalRequest request,
        SamplerResult result, string samplerLabel)
    {
        using var gTrue = new Generator((ulong)(request.Seed + 1_000_003), CPU);
        var reference = distribution.Sample(request.N, gTrue);
        var report = Toy2DMetrics.Evaluate(result.Samples.cpu(), distribution, reference, request.Seed);
        var metrics = new Dictionary<string, double?>(report.ToDictionary())
        {
            ["samples_per_s"] = request.N / Math.Max(result.Seconds, 1e-9),
            ["sampling_s"] = result.Seconds,
            ["function_evaluations"] = result.FunctionEvaluations,
        };
        var json = new Dictionary<string, object?>
        {
            ["run"] = run.Name,
            ["model"] = model,
            ["data"] = data,
            ["n"] = request.N,
            ["seed"] = request.Seed,
            ["sampler"] = samplerLabel,
            ["metrics"] = metrics,
            ["evaluated_utc"] = DateTime.UtcNow.ToString("O"),
        };
        return new ToyScore(report, reference, metrics, json);
    }

    /// <summary>Writes eval.json atomically.</summary>
    public static void WriteEval(RunDirectory run, Dictionary<string, object?> json) =>
        AtomicFile.Write(run.EvalPath, s => s.Write(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(json, JsonDefaults.Options) + "\n")));

    /// <summary>
    /// <c>sample</c>'s files: the CSV (at <c>-o</c>, or under samples/ named by what drew them, so that another sampler never replaces
    /// them) and its scatter figure over the true density.
    /// </summary>
    public static SampleOutcome WriteSamples(RunDirectory run, SampleRequest request, IToyDistribution distribution, SamplerResult result,
        string label)
    {
        string csv = request.Output ?? Path.Combine(run.SamplesDir, $"{label}-n{request.N}-seed{request.Seed}.csv");
        WriteCsv(result.Samples, csv);
        string png = Output.CompanionPath.Png(csv);
        ToyRunReport.WriteSampleScatter(result.Samples, distribution, png, $"{request.N} samples (seed {request.Seed})");
        return new SampleOutcome([csv, png], request.N, result.Seconds, result.FunctionEvaluations);
    }

    /// <summary>The samples as CSV (x1,x2 header, round-trip floats).</summary>
    public static void WriteCsv(Tensor samples, string path)
    {
        var values = samples.cpu().to_type(ScalarType.Float32).data<float>().ToArray();
        int d = (int)samples.shape[1];
        var sb = new StringBuilder(d == 2 ? "x1,x2\n" : string.Join(",", Enumerable.Range(1, d).Select(i => $"x{i}")) + "\n");
        for (int i = 0; i < values.Length; i += d)
            sb.AppendJoin(',', values.Skip(i).Take(d).Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))).Append('\n');
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        AtomicFile.Write(path, s => s.Write(Encoding.UTF8.GetBytes(sb.ToString())));
    }

    private static string DataHash(string data, IToyDistribution distribution)
    {
        byte[] bytes = distribution is GaussianMixture2D mixture
            ? Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { mixture.Weights, mixture.Means, mixture.Covariances }))
            : Encoding.UTF8.GetBytes(data);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    private sealed class SampleCache : IDisposable
    {
        public (long Step, Tensor Samples)? Last;
        public Tensor? Reference;

        public void Forget()
        {
            Last?.Samples.Dispose();
            Last = null;
        }

        public void Dispose()
        {
            Forget();
            Reference?.Dispose();
        }
    }
}

/// <summary>A toy run's final exact metrics: the report, the true samples they were scored against, and eval.json's content so far.</summary>
public sealed record ToyScore(Toy2DReport Report, Tensor Reference, Dictionary<string, double?> Metrics, Dictionary<string, object?> Json)
    : IDisposable
{
    public void Dispose() => Reference.Dispose();
}
