using System.Globalization;
using System.Text;
using System.Text.Json;
using GenSharp.Data;
using GenSharp.Diffusion.Samplers;
using GenSharp.Evaluation;
using GenSharp.Output;
using GenSharp.Pipelines;
using GenSharp.Training;
using static TorchSharp.torch;

namespace GenSharp.Diffusion.EarlyStop;

/// <summary>One row of a T0 sweep: a sampler, its DDPM network evaluations per sample, its speed and its scores (null without features).</summary>
public sealed record SweepRow(string Label, int? T0, int FunctionEvaluations, double SamplesPerSecond, double? Fd, double? Precision,
    double? Recall);

/// <summary>
/// <c>gensharp eval RUN_DDPM --start-from RUN --t0-sweep 25,50,100,200,400</c> (docs/latent-diffusion.md#es-ddpm): for each T0 the early-stopped
/// sampler (ancestral, the last T0 steps), beside the generator alone and the DDPM's full samplers (DDPM-T, DDIM-50, DPM-Solver++-20), all
/// drawn with the same n and seed and scored against the same n held-out images (FD, precision, recall in the feature network's space),
/// with the real-vs-real FD floor at that n. Writes <c>eval-t0-sweep.json</c>, a Markdown table <c>eval-t0-sweep.md</c> and
/// <c>plots/t0-sweep.png</c> (FD against T0) after every row (<c>complete</c> is false until the last); eval.json is left as it is.
/// </summary>
public static class EarlyStopSweep
{
    public const string JsonName = "eval-t0-sweep.json";
    public const string TableName = "eval-t0-sweep.md";
    public const string PlotName = "t0-sweep.png";

    /// <summary>The full samplers the sweep compares with (DDIM-50, DPM-Solver++-20, ancestral over all T steps: the costliest last).</summary>
    public static SamplerSpec[] Baselines(int timesteps) =>
        [new("ddim", Math.Min(50, timesteps)), new("dpmpp", Math.Min(20, timesteps)), new("ddpm")];

    /// <summary>Runs the sweep and writes its files; returns the rows (generator, each T0, the full samplers) and the FD floor.</summary>
    public static (IReadOnlyList<SweepRow> Rows, double? FdFloor) Run(EarlyStoppedDdpm es, RunDirectory run, int[] t0s, int n, long seed,
        Device device, bool quiet, TextWriter log)
    {
        if (t0s.Length == 0) throw new ConfigException("--t0-sweep: give at least one T0, e.g. 25,50,100,200,400");
        foreach (int t0 in t0s) TimestepTable.Start(es.Diffusion.Timesteps, t0);
        var config = es.Config;
        using var scope = NewDisposeScope();
        var notes = new StringWriter();
        using var extractor = FeatureExtractor.TryLoadFor(config.Training.Data, config.ImageShape, notes);
        using var held = RunImages.HeldOut(config.Training.Data, config.HeldOut);
        int nReference = Math.Min(n, held.Count);
        Tensor? realFeatures = extractor?.Extract(held.Images.narrow(0, 0, nReference)).Features;
        double? floor = null;
        if (extractor is not null)
        {
            using var train = RunImages.Train(config.Training.Data, config.HeldOut);
            if (ReferenceBaselines.Unavailable(config.Training.Data, config.HeldOut, train.Count, held.Count, n) is null)
                floor = ReferenceBaselines.Compute(extractor, train.Images, held.Images, nReference, seed).RealVsReal.FrechetDistance;
        }

        var rows = new List<SweepRow>();
        void Score(IImageSampler sampler, int? t0)
        {
            using var inner = NewDisposeScope();
            var drawn = BatchedSampling.Draw(sampler, n, seed, device, quiet);
            double? fd = null, precision = null, recall = null;
            if (extractor is not null)
            {
                var (features, logits) = extractor.Extract(drawn.Samples.cpu());
                var report = ImageMetrics.FromFeatures(extractor.Version, realFeatures!, features, logits, seed);
                (fd, precision, recall) = (report.FrechetDistance, report.Precision, report.Recall);
            }
            var row = new SweepRow(sampler.Label, t0, drawn.FunctionEvaluations, n / Math.Max(drawn.Seconds, 1e-9), fd, precision, recall);
            rows.Add(row);
            if (!quiet) log.WriteLine(Line(row));
            Write(run, es.StartRun.Name, n, seed, rows, floor, notes.ToString().Trim(), complete: false); // what is done survives a stop
            foreach (var t in drawn.Trajectory.Values) t.Dispose();
        }

        Score(es.Generator, null);
        foreach (int t0 in t0s)
            using (var sampler = es.Sampler(t0, null, device)) Score(sampler, t0);
        foreach (var spec in Baselines(es.Diffusion.Timesteps))
            using (var sampler = es.Full(spec, device)) Score(sampler, null);

        Write(run, es.StartRun.Name, n, seed, rows, floor, notes.ToString().Trim(), complete: true);
        return (rows, floor);
    }

    /// <summary>The rows as a Markdown table (FD, precision, recall, samples/s, network evaluations).</summary>
    public static string Table(IReadOnlyList<SweepRow> rows, double? floor)
    {
        var sb = new StringBuilder("| sampler | T0 | network evaluations | samples/s | FD | precision | recall |\n|---|---|---|---|---|---|---|\n");
        foreach (var r in rows)
            sb.Append(CultureInfo.InvariantCulture, $"| {r.Label} | {r.T0?.ToString(CultureInfo.InvariantCulture) ?? "-"} | " +
                $"{r.FunctionEvaluations} | {r.SamplesPerSecond:F1} | {F(r.Fd)} | {F(r.Precision, "F3")} | {F(r.Recall, "F3")} |\n");
        if (floor is not null) sb.Append(CultureInfo.InvariantCulture, $"\nFD floor (real vs real at the same n): {floor:F2}\n");
        return sb.ToString();
    }

    private static string Line(SweepRow r) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{r.Label}: FD {F(r.Fd)}, precision {F(r.Precision, "F3")}, recall {F(r.Recall, "F3")}, {r.SamplesPerSecond:F1} samples/s, " +
            $"{r.FunctionEvaluations} network evaluations");

    private static string F(double? v, string format = "F2") => v?.ToString(format, CultureInfo.InvariantCulture) ?? "n/a";

    private static void Write(RunDirectory run, string start, int n, long seed, List<SweepRow> rows, double? floor, string notes, bool complete)
    {
        var json = new Dictionary<string, object?>
        {
            ["run"] = run.Name, ["start_from"] = start, ["n"] = n, ["seed"] = seed, ["fd_floor"] = floor, ["complete"] = complete, ["rows"] = rows,
            ["notes"] = notes.Length > 0 ? notes : null, ["evaluated_utc"] = DateTime.UtcNow.ToString("O"),
        };
        string text = JsonSerializer.Serialize(json, JsonDefaults.Options) + "\n";
        AtomicFile.Write(Path.Combine(run.Root, JsonName), s => s.Write(Encoding.UTF8.GetBytes(text)));
        AtomicFile.Write(Path.Combine(run.Root, TableName), s => s.Write(Encoding.UTF8.GetBytes(Table(rows, floor))));
        var sweep = rows.Where(r => r.T0 is not null && r.Fd is not null).ToList();
        if (sweep.Count == 0) return;
        double[] xs = [.. sweep.Select(r => (double)r.T0!.Value)];
        var plot = new LinePlot { Title = $"Early-stopped DDPM from {start} (n = {n})", XLabel = "T0 (reverse steps run)", YLabel = "FD" };
        plot.Add(xs, [.. sweep.Select(r => r.Fd!.Value)], "ES-DDPM");
        foreach (var r in rows.Where(r => r.T0 is null && r.Fd is not null))
            plot.Add(xs, [.. xs.Select(_ => r.Fd!.Value)], $"{r.Label} ({r.FunctionEvaluations} evaluations)");
        if (floor is double f) plot.Add(xs, [.. xs.Select(_ => f)], "floor (real vs real)");
        Directory.CreateDirectory(run.PlotsDir);
        plot.Save(Path.Combine(run.PlotsDir, PlotName));
    }
}
