using System.Diagnostics;
using System.Text.Json;
using GenSharp.Data.Toy;
using GenSharp.Diffusion.Conditioning;
using GenSharp.Diffusion.Samplers;
using GenSharp.Evaluation;
using GenSharp.Nn;
using GenSharp.Pipelines;
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
    public const string MixtureFileName = ToyRun.MixtureFileName;

    public string Kind => ToyDdpmConfig.Kind;

    /// <summary>For <c>toy:FILE.json</c> data, the mixture copied into the run (<see cref="ToyRun.CopyMixtureInto{T}"/>).</summary>
    public static ToyDdpmConfig CopyMixtureInto(ToyDdpmConfig config, RunDirectory run) => ToyRun.CopyMixtureInto(config, run);

    /// <summary>The run's data distribution: its copied mixture if it has one, otherwise <c>--data</c> resolved as given.</summary>
    public static IToyDistribution Distribution(ToyDdpmConfig config, RunDirectory run) => ToyRun.Distribution(config, run);

    /// <summary>Fills in what a fresh run measures once: data standardisation, data hash, environment.</summary>
    public static ToyDdpmConfig Resolve(ToyDdpmConfig config, torch.Device device)
    {
        config.Validate();
        var distribution = ToyRegistry.Resolve(ToyRun.Spec(config.Training.Data));
        return ToyRun.Measured(config, device) with { Conditioning = ToyConditional.WithComponents(config.Conditioning, distribution) };
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
        using var figures = ToyRun.AddTrainingFigures(trainer, config.Training, run, distribution, device,
            (n, g) => DrawSamples(config, shadowModel, diffusion, n, g, device, quiet: true).Samples);
        ToyRun.Train(trainer, run, config.Training.Steps, resume, quiet);
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
        string label = ToySpec(config, request.Sampler).Label + (guidance is null ? "" : "-" + guidance.Label);
        return ToyRun.WriteSamples(run, request, distribution, result, label);
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
        using var score = ToyRun.Score(run, config.Model, config.Training.Data, distribution, request, result, spec.Label);
        if (guidance is not null)
            ToyConditionalReport.AddToEvaluation(config, model, diffusion, spec, distribution, request, device, score.Json, score.Metrics);
        ToyRun.WriteEval(run, score.Json);
        ToyRunReport.Write(run, ReportText(spec), config, config.Training, distribution, samples, score.Reference, score.Report, score.Metrics,
            result);
        foreach (var t in result.Trajectory.Values) t.Dispose();
        return new EvalOutcome(run.EvalPath, score.Metrics);
    }

    /// <summary>Ancestral DDPM sampling in standardised space, mapped back to data space.</summary>
    internal static SamplerResult DrawSamples(
        ToyDdpmConfig config, MlpNoisePredictor model, GaussianDiffusion diffusion, int n, Generator g,
        torch.Device device, bool quiet, IReadOnlyList<int>? recordAt = null, SamplerSpec? sampler = null, GuidedSampling? guidance = null)
    {
        model.eval();
        var spec = ToySpec(config, sampler);
        int steps = spec.FunctionEvaluations(config.Schedule.Timesteps);
        using var progress = Output.ProgressReporter.Start($"sampling {n} ({spec.Label})", steps, quiet);
        var observer = ToyRun.Observer(progress, recordAt);
        var result = model.Classes > 0 // a conditional network samples guided (the run's own w and random components unless asked)
            ? ToyConditional.Sample(model, spec.Create(diffusion), n, config.Network.DataDim, g, device, observer,
                guidance ?? ToyConditional.Default(config.Conditioning!))
            : spec.Create(diffusion).Sample(
                config.Objective.AsEps((x, t) => Nn.RowChunks.Apply(model.call, x, t), diffusion.Schedule), [n, config.Network.DataDim], g, device,
                observer); // bounded memory for any n
        return ToyRun.Unstandardise(result, config.DataMean, config.DataStd);
    }

    /// <summary>The report's words for a toy DDPM sampled by <paramref name="sampler"/>.</summary>
    private static ToyRunText ReportText(SamplerSpec sampler) => new("DDPM",
        "A denoising diffusion model (docs/ddpm.md) on 2D toy data: an MLP noise predictor with a sinusoidal time embedding, " +
        "trained with L_simple and EMA weights, sampled with ancestral DDPM (no noise at the last step), and scored with exact metrics " +
        "against the true density.",
        sampler.Name == "ddpm" ? $"ancestral DDPM, sigma_t^2 = {sampler.Variance}" : sampler.Label,
        "Training loss L_simple", "L_simple (mean over log interval)", LossLogScale: true, t => $"t = {t + 1}");

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
}
