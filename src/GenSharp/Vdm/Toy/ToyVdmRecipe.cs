using System.Globalization;
using System.Text.Json;
using GenSharp.Diffusion.Samplers;
using GenSharp.Nn;
using GenSharp.Pipelines;
using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Vdm.Toy;

/// <summary>
/// A variational diffusion model on 2D toy data (Kingma et al. 2021; docs/vdm.md#toys), end to end: the toy DDPM's MLP as
/// eps_hat(z_t; gamma_t) with a fixed or learned log-SNR schedule (<see cref="ToyVdmNetwork"/>), trained on the whole bound of the
/// standardised data with the continuous-time diffusion loss at low-discrepancy times and the Gaussian decoder (<see cref="VdmObjective"/>),
/// sampled by T ancestral steps in SNR form (<see cref="VdmAncestralSampler"/>), scored by the toys' exact metrics (<see cref="ToyRun"/>)
/// and by the bound beside the exact negative log-likelihood of held-out points (<see cref="ToyVdmBound"/>).
/// </summary>
public sealed class ToyVdmRecipe : IRunRecipe
{
    public string Kind => ToyVdmConfig.Kind;

    /// <summary>Fills in what a fresh run measures once: data standardisation, data hash, environment.</summary>
    public static ToyVdmConfig Resolve(ToyVdmConfig config, Device device)
    {
        config.Validate();
        return ToyRun.Measured(config, device);
    }

    /// <summary>For <c>toy:FILE.json</c> data, copies the mixture into the run and records it in the config.</summary>
    public static ToyVdmConfig CopyMixtureInto(ToyVdmConfig config, RunDirectory run) => ToyRun.CopyMixtureInto(config, run);

    /// <summary>Trains (or resumes) the run, then samples, evaluates and writes the report.</summary>
    public static EvalOutcome Train(ToyVdmConfig config, RunDirectory run, Device device, bool resume, bool quiet)
    {
        var distribution = ToyRun.Distribution(config, run);
        manual_seed(config.Training.Seed);
        using var rng = new Generator((ulong)config.Training.Seed, device);
        using var model = new ToyVdmNetwork(config.Network, config.Schedule);
        model.to(device);
        using var shadowModel = new ToyVdmNetwork(config.Network, config.Schedule);
        shadowModel.to(device);
        using var ema = new Ema(model, shadowModel, config.Training.EmaDecay);
        using var optimizer = new FusedAdamW(model.parameters(), config.Training.Lr, weight_decay: config.Training.WeightDecay);
        using var mean = tensor(config.DataMean, device: device).to_type(ScalarType.Float32);
        using var std = tensor(config.DataStd, device: device).to_type(ScalarType.Float32);
        var objective = new VdmObjective(model.Schedule, (z, g) => model.call(z, g), discretised: false);
        Tensor Loss(long step)
        {
            var x = (distribution.Sample(config.Training.Batch, rng, device) - mean) / std;
            return config.Schedule.VarianceGradient ? objective.BitsPerDimWithVarianceGradient(x, rng) : objective.BitsPerDim(x, rng);
        }
        var trainer = new Trainer(config.Training.LoopConfig(), model, optimizer, config.Training.Schedule(), ema, rng, run, Loss,
            new Dictionary<string, string> { ["config"] = JsonSerializer.Serialize(config, JsonDefaults.Compact) });
        using var figures = ToyRun.AddTrainingFigures(trainer, config.Training, run, distribution, device,
            (n, g) => DrawSamples(config, shadowModel, config.SamplingSteps, n, g, device, quiet: true).Samples);
        ToyRun.Train(trainer, run, config.Training.Steps, resume, quiet);
        return new ToyVdmRecipe().Evaluate(run, new EvalRequest(config.Training.FinalEvalSamples, config.Training.Seed + 7, quiet), device);
    }

    public SampleOutcome Sample(RunDirectory run, SampleRequest request, Device device)
    {
        if (request.N < 1) throw new ConfigException($"--n {request.N}: must be at least 1");
        request.Guidance?.RefuseIfUnconditional(null, run.Root);
        var config = RunConfigFile.Read<ToyVdmConfig>(run).Validate();
        int steps = Steps(config, request.Sampler);
        using var model = LoadEma(run, config, device);
        using var g = new Generator((ulong)request.Seed, device);
        var result = DrawSamples(config, model, steps, request.N, g, device, request.Quiet);
        using var samples = result.Samples;
        var distribution = ToyRun.Distribution(config, run);
        return ToyRun.WriteSamples(run, request, distribution, result, $"{VdmAncestralSampler.Name}-{steps}");
    }

    /// <summary>
    /// The exact metrics of N samples drawn by T ancestral steps, and the bound beside the exact NLL on held-out points (<c>--bpd N</c>
    /// points, else the config's <see cref="ToyVdmConfig.BoundPoints"/>); writes eval.json and report.html.
    /// </summary>
    public EvalOutcome Evaluate(RunDirectory run, EvalRequest request, Device device)
    {
        if (request.N < 100) throw new ConfigException($"--n {request.N}: must be at least 100 for stable metrics");
        request.Guidance?.RefuseIfUnconditional(null, run.Root);
        var config = RunConfigFile.Read<ToyVdmConfig>(run).Validate();
        int steps = Steps(config, request.Sampler);
        int points = request.BitsPerDimImages > 0 ? request.BitsPerDimImages : config.BoundPoints;
        ToyVdmConfig.CheckBoundPoints(points, "--bpd");
        var distribution = ToyRun.Distribution(config, run);
        using var model = LoadEma(run, config, device);
        using var g = new Generator((ulong)request.Seed, device);
        int[] recordAt = [steps - 1, steps * 3 / 4, steps / 2, steps / 4, steps / 10, 0];
        var result = DrawSamples(config, model, steps, request.N, g, device, request.Quiet, recordAt);
        using var samples = result.Samples;
        string label = $"{VdmAncestralSampler.Name}-{steps}";
        using var score = ToyRun.Score(run, config.Model, config.Training.Data, distribution, request, result, label);
        var bound = ToyVdmBound.Compute((z, gm) => RowChunks.Apply(model.call, z, gm), model.Schedule, distribution, config.DataMean,
            config.DataStd, points, request.Seed, device);
        foreach (var (key, value) in bound.Metrics()) score.Metrics[key] = value;
        score.Json["bound"] = bound.ToJson();
        ToyRun.WriteEval(run, score.Json);
        VdmReport.WriteSchedulePlot(run, config.Schedule.Kind, model.Schedule);
        var text = new ToyRunText("VDM",
            "A variational diffusion model (Kingma et al. 2021, docs/vdm.md#toys) on 2D toy data: the toy DDPM's MLP predicts the noise from z_t " +
            $"and the log-SNR gamma_t; a {config.Schedule.Kind} schedule from gamma_0 = {config.Schedule.Gamma0:G4} to gamma_1 = " +
            $"{config.Schedule.Gamma1:G4}; the loss is the whole variational bound of the standardised data (continuous-time diffusion loss at " +
            "low-discrepancy times + prior + Gaussian reconstruction at gamma_0), with EMA weights; samples by ancestral steps in SNR form, " +
            "scored with exact metrics against the true density; the bound beside the exact negative log-likelihood of held-out points.",
            $"{VdmAncestralSampler.Name}, T = {steps} ancestral steps in SNR form",
            "Training loss: the variational bound (bits/dim of the standardised data, one-sample estimate)", "bound (mean over log interval)",
            LossLogScale: false, i => $"t = {i + 1}/{steps}");
        ToyRunReport.Write(run, text, config, config.Training, distribution, samples, score.Reference, score.Report, score.Metrics, result,
            html => AddBoundSection(html, run, bound));
        foreach (var t in result.Trajectory.Values) t.Dispose();
        return new EvalOutcome(run.EvalPath, score.Metrics);
    }

    /// <summary>Ancestral sampling in SNR form in standardised space (never clamped: toy data are not bounded), mapped back to data space.</summary>
    internal static SamplerResult DrawSamples(ToyVdmConfig config, ToyVdmNetwork model, int steps, int n, Generator g, Device device, bool quiet,
        IReadOnlyList<int>? recordAt = null)
    {
        model.eval();
        using var progress = Output.ProgressReporter.Start($"sampling {n} ({VdmAncestralSampler.Name}-{steps})", steps, quiet);
        using var z1 = randn([n, model.DataDim], generator: g, device: device);
        var result = VdmAncestralSampler.Run((z, gm) => RowChunks.Apply(model.call, z, gm), model.Schedule, z1, steps, g,
            ToyRun.Observer(progress, recordAt), clip: false); // bounded memory for any n
        return ToyRun.Unstandardise(result, config.DataMean, config.DataStd);
    }

    /// <summary>T: the run's sampling steps, or <c>--steps</c>; any sampler but vdm-ancestral is refused.</summary>
    private static int Steps(ToyVdmConfig config, SamplerSpec? requested)
    {
        if (requested is null) return config.SamplingSteps;
        if (requested.Name != VdmAncestralSampler.Name)
            throw new ConfigException($"--sampler {requested.Name}: a VDM run samples only with {VdmAncestralSampler.Name}, its ancestral " +
                "sampler in SNR form; set its steps with --steps (docs/vdm.md#sampling)");
        int steps = requested.Steps ?? config.SamplingSteps;
        VdmConfig.CheckSteps(steps, "--steps");
        return steps;
    }

    private static void AddBoundSection(Output.HtmlReport html, RunDirectory run, ToyVdmBoundResult b)
    {
        static string F(BitsEstimate e) => $"{e.Mean.ToString("F4", CultureInfo.InvariantCulture)} ± " +
            e.StandardError.ToString("F4", CultureInfo.InvariantCulture);
        html.AddHeading("The variational bound beside the exact likelihood");
        html.AddParagraph($"On {b.Points:N0} held-out points of the toy, in nats per point (mean ± Monte-Carlo standard error). The bound is an " +
            "upper bound on -log p_model(x); the exact negative log-likelihood of the same points under the true density is the floor any model's " +
            "-log p can reach on average, so the bound minus it must be >= 0 within error (docs/vdm.md#toy-bound).");
        html.AddTable(["term", "nats per point"],
        [
            ["diffusion L_inf", F(b.Diffusion)], ["prior KL(q(z_1|x) || N(0, I))", F(b.Prior)],
            ["reconstruction (Gaussian decoder at gamma_0)", F(b.Reconstruction)],
            ["standardisation sum_d log std_d", b.Standardisation.ToString("F4", CultureInfo.InvariantCulture)],
            ["bound", F(b.Bound)], ["exact -log p(x), same points", F(b.ExactNll)], ["bound - exact NLL (paired)", F(b.Gap)],
        ]);
        VdmReport.AddSections(html, run);
    }

    private static ToyVdmNetwork LoadEma(RunDirectory run, ToyVdmConfig config, Device device)
    {
        string checkpoint = Checkpoint.FindLatest(run.CheckpointsDir)
            ?? throw new ConfigException($"{run.Root} has no checkpoint yet; train it first (gensharp train vdm ... --resume)");
        var model = new ToyVdmNetwork(config.Network, config.Schedule);
        model.to(device);
        Checkpoint.LoadModule(checkpoint, "ema", model);
        model.eval();
        return model;
    }
}
