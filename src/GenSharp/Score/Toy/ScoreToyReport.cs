using System.Globalization;
using System.Text.Json;
using GenSharp.Output;
using GenSharp.Training;

namespace GenSharp.Score.Toy;

/// <summary>experiment.json, results.json and the self-contained report.html of the score-toy experiments.</summary>
internal static class ScoreToyReport
{
    public static void Write(string outDir, ScoreToyConfig config, ScoreToyResults results, ScoreToyFigures figures)
    {
        AtomicFile.WriteAllText(Path.Combine(outDir, "experiment.json"), JsonSerializer.Serialize(config, JsonDefaults.Options) + "\n");
        AtomicFile.WriteAllText(Path.Combine(outDir, "results.json"), JsonSerializer.Serialize(results, JsonDefaults.Options) + "\n");

        var html = new HtmlReport($"Score-based models on {config.Data} (seed 004 experiments)");
        html.AddParagraph("Score matching, Langevin dynamics and annealed Langevin dynamics on a 2D Gaussian mixture whose score is known exactly " +
            "(docs/score-models.md#toy-experiments). The network is the seed's ScoreNet (input x and sigma; " +
            $"{config.Network.Hidden} hidden units, {config.Network.Layers} layers, BatchNorm, LeakyReLU; s(x, sigma) = f(x, sigma) / sigma), " +
            $"trained with the '{config.Loss}' loss weighted by sigma^2 and an EMA of its weights (m = {F(config.EmaDecay)}).");

        html.AddHeading("Data");
        html.AddKeyValueTable(
        [
            ("mixture weights", string.Join(", ", results.Weights.Select(F))),
            ("training / test points", $"{config.TrainSize} / {config.TestSize}"),
        ]);
        html.AddImageRow(figures.DataFigures);

        html.AddHeading("Fixed-sigma training: learned vs exact score fields");
        html.AddParagraph("One network per sigma, trained at that noise level only. " +
            "The exact field is grad log p_sigma, p_sigma = p * N(0, sigma^2 I) " +
            "(each covariance plus sigma^2 I). The error is E|s_theta - s|^2 / E|s|^2 over held-out points of p_sigma and over the plotted grid " +
            "(which includes the low-density regions where score matching sees no data).");
        html.AddTable(["sigma", "E|s_theta - s|^2 (held-out)", "relative (held-out)", "relative (grid)", "test loss", "training time"],
            results.FieldErrors.Select(e => (IReadOnlyList<string>)[F(e.Sigma), F(e.MeanSquaredError), F(e.RelativeError),
                F(e.GridRelativeError), F(e.TestLoss), $"{e.TrainSeconds:F1} s"]));
        html.AddImageRow(figures.FieldFigures);
        if (figures.FieldErrorFigure is not null) html.AddImage(figures.FieldErrorFigure, "Relative field error per sigma");

        html.AddHeading("Deterministic vs Langevin trajectories");
        html.AddParagraph($"From {string.Join(" and ", config.Starts.Select(s => $"[{F(s[0])}, {F(s[1])}]"))} " +
            $"with step size {F(config.LangevinStepSize)} for {config.LangevinSteps} steps at sigma = {F(config.FixedSigmas.Min())}. " +
            "Without noise the update is gradient ascent on log p and stops at a mode; " +
            $"with the {config.LangevinNoise} noise it keeps exploring.");
        html.AddTable(["score", "dynamics", "start", "end", "ends in component"],
            results.Trajectories.Select(t => (IReadOnlyList<string>)[t.Score, t.Dynamics, $"[{F(t.Start[0])}, {F(t.Start[1])}]",
                $"[{F(t.End[0])}, {F(t.End[1])}]", t.EndComponent.ToString(CultureInfo.InvariantCulture)]));
        html.AddImageRow(figures.TrajectoryFigures);

        html.AddHeading("Plain vs annealed Langevin: the mixture weights");
        html.AddParagraph($"{config.Samples} chains from uniform starts over the plotted box. " +
            "Plain Langevin follows the score, which does not see the mixture weights " +
            "(grad log p is blind to a component's weight away from the boundary between modes), " +
            "so the mass splits by basins of attraction. Annealed Langevin " +
            $"starts at sigma_1 = {F(results.Sigmas[0])}, where the modes merge, and tracks p_sigma down to sigma_L = {F(results.Sigmas[^1])} " +
            $"({results.Sigmas.Length} levels, gamma = {F(results.Gamma)}, T = {config.StepsPerLevel}, " +
            $"eps = {F(results.Eps)} ({results.EpsSource}), " +
            $"variance ratio {F(results.VarianceRatio)}{(config.FinalDenoise ? ", final denoising step" : "")}); " +
            $"sigma_1: {results.SigmaMaxSource}.");
        html.AddTable(["sampler", "score", "fraction per component", "max weight error", "time", "network evaluations"],
            results.WeightErrors.Select(w => (IReadOnlyList<string>)[w.Sampler, w.Score, string.Join(", ", w.Fractions.Select(F)),
                w.WeightErrorMax is { } e ? F(e) : "n/a (many components)", $"{w.Seconds:F1} s",
                w.FunctionEvaluations.ToString(CultureInfo.InvariantCulture)]));
        html.AddImageRow(figures.SampleFigures);
        foreach (var (score, row) in figures.ProgressionFigures)
        {
            html.AddParagraph($"Annealed Langevin with the {score} score, level by level.");
            html.AddImageRow(row);
        }
        html.AddHeading("Exact metrics of the annealed samples (learned NCSN)");
        if (config.FinalDenoise)
            html.AddParagraph("The final denoising step returns Tweedie's estimate E[x | x~] at sigma_L, which is less spread than the data: " +
                "the samples' mean log-likelihood can exceed that of true samples for that reason " +
                "(run with --no-denoise to see the sigma_L-blurred samples instead).");
        html.AddTable(["metric", "value"], results.AnnealedMetrics.Select(kv => (IReadOnlyList<string>)[kv.Key, kv.Value is { } v ? F(v) : "n/a"]));

        html.AddHeading("Training");
        if (figures.LossFigure is not null) html.AddImage(figures.LossFigure, "Training losses (smoothed)");
        html.AddKeyValueTable(
        [
            ("NCSN training", $"{config.NcsnSteps} steps in {results.NcsnTrainSeconds:F1} s, final loss {F(results.NcsnFinalLoss)}"),
            ("total wall time", $"{results.TotalSeconds:F1} s"),
        ]);
        html.AddHeading("Configuration");
        html.AddPreformatted(JsonSerializer.Serialize(config, JsonDefaults.Options));
        html.Save(Path.Combine(outDir, "report.html"));
    }

    private static string F(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
}
