using System.Globalization;
using System.Text;
using System.Text.Json;
using GenSharp.Data;
using GenSharp.Diffusion.Samplers;
using GenSharp.Files;
using GenSharp.Output;
using GenSharp.Training;
using static TorchSharp.torch;

namespace GenSharp.Diffusion.Images;

/// <summary>Options of <c>gensharp invert</c>: images from a PNG file or folder, or <c>held-out:N</c> (the run's first N held-out images).</summary>
public sealed record InversionRequest(string Images, IReadOnlyList<int> Steps, IReadOnlyList<double> Etas, long Seed = 0, string? Output = null);

/// <summary>Mean, median and largest per-image error of one (K, eta) point, and the standard deviation of its x_T.</summary>
public sealed record InversionSummary(int Steps, double Eta, double MeanRmse, double MedianRmse, double MaxRmse, double XTStd);

/// <summary>What <c>gensharp invert</c> wrote and measured.</summary>
public sealed record InversionOutcome(string Folder, IReadOnlyList<string> Files, IReadOnlyList<InversionSummary> Points, int Images);

/// <summary>
/// <c>gensharp invert RUN --image FILE|DIR --steps K</c> (docs/samplers.md#ddim-inversion): real images x_0 -> x_T by DDIM inversion ->
/// x_0' by DDIM, for every K of <c>--steps</c> and eta of <c>--eta</c> (<see cref="DdimRoundTrip"/>). The error is the per-image RMSE of
/// x_0' - x_0 in pixel units ([0, 1]); for a good inversion x_T should also look like N(0, I) noise (standard deviation ~1). Writes the
/// reconstructions (a PNG folder per point and a strip of the first images), errors.csv (per image and point), inversion.json and, when
/// more than one point is asked for, error-vs-steps.png: the error against K, one line per eta.
/// </summary>
public static class ImageDdpmInversion
{
    public const string HeldOutPrefix = "held-out:";
    private const int Chunk = Pipelines.BatchedSampling.DefaultBatch;

    public static InversionOutcome Run(RunDirectory run, InversionRequest request, Device device, TextWriter? log = null)
    {
        if (request.Steps.Count == 0 || request.Etas.Count == 0) throw new ConfigException("--steps and --eta need at least one value each");
        string folder = Path.GetFullPath(request.Output ?? Path.Combine(run.Root, "inversions",
            $"{Label(request.Images)}-K{string.Join("_", request.Steps)}-eta{string.Join("_", request.Etas.Select(Format))}"));
        if (request.Output is not null && run.Owns(folder))
            throw new ConfigException($"--output {request.Output}: belongs to the run {run.Root}; write elsewhere (or leave --output out)");
        OutputTarget.RequireNewFolder(folder);
        using var model = ImageDdpmModel.Open(run, device, "invert");
        int T = model.Diffusion.Timesteps;
        foreach (int k in request.Steps) Limits.Check("--steps", k, 1, T);
        foreach (double eta in request.Etas) new DdimSamplerConfig(1, eta).Validate();
        foreach (int k in request.Steps)                                   // every eta must be possible on every table before any work
            foreach (double eta in request.Etas) _ = new DdimSampler(model.Diffusion, new DdimSamplerConfig(k, eta, model.Config.Sampler.Spacing));
        var (x0, names) = LoadImages(request.Images, run, model, device);
        using (x0)
        {
            log?.WriteLine($"inverting {names.Count} images with K = {string.Join(", ", request.Steps)}, eta = {string.Join(", ", request.Etas)}");
            var points = new List<(int K, double Eta, List<Tensor> XT, List<Tensor> Recon)>();
            for (long start = 0; start < names.Count; start += Chunk)
            {
                using var chunk = x0.narrow(0, start, Math.Min(Chunk, names.Count - start));
                var sweep = DdimRoundTrip.Sweep(model.Diffusion, model.Eps, chunk, request.Steps, request.Etas, request.Seed,
                    model.Config.Sampler.Spacing, clipX0: true);
                for (int i = 0; i < sweep.Count; i++)
                {
                    if (start == 0) points.Add((sweep[i].Steps, sweep[i].Eta, [], []));
                    points[i].XT.Add(sweep[i].XT);
                    points[i].Recon.Add(sweep[i].Reconstruction.clamp(-1, 1));
                    sweep[i].Reconstruction.Dispose();
                }
            }
            Directory.CreateDirectory(folder);
            var files = new List<string>();
            var csv = new StringBuilder("image,file,steps,eta,rmse,xT_std\n");
            var summaries = new List<InversionSummary>();
            var strip = new List<(string, Tensor)> { ("input", x0.narrow(0, 0, Math.Min(12, names.Count))) };
            foreach (var (k, eta, xTs, recons) in points)
            {
                using var xT = cat(xTs, 0);
                using var recon = cat(recons, 0);
                foreach (var t in xTs.Concat(recons)) t.Dispose();
                double[] rmse = DdimRoundTrip.Rmse(recon, x0).Select(e => e / 2).ToArray();       // [-1, 1] -> pixel units [0, 1]
                double[] std = xT.flatten(1).std(1).cpu().to_type(ScalarType.Float64).data<double>().ToArray();
                for (int i = 0; i < names.Count; i++)
                    csv.Append(CultureInfo.InvariantCulture, $"{i},{names[i]},{k},{Format(eta)},{rmse[i]:G6},{std[i]:G6}\n");
                var sorted = rmse.Order().ToArray();
                summaries.Add(new InversionSummary(k, eta, rmse.Average(), sorted[sorted.Length / 2], sorted[^1], std.Average()));
                string reconFolder = Path.Combine(folder, $"reconstructions-K{k}-eta{Format(eta)}");
                PngFolder.Write(recon, reconFolder);
                files.Add(reconFolder);
                strip.Add(($"K={k} eta={Format(eta)}", recon.narrow(0, 0, Math.Min(12, names.Count)).clone()));
            }
            string stripPath = Path.Combine(folder, "reconstructions.png");
            ImageStrip.Save(stripPath, strip, Enumerable.Range(1, Math.Min(12, names.Count)).Select(i => $"#{i}").ToArray(), scale: 2);
            foreach (var (_, t) in strip.Skip(1)) t.Dispose();
            files.Add(stripPath);
            string csvPath = Path.Combine(folder, "errors.csv");
            AtomicFile.WriteAllBytes(csvPath, Encoding.UTF8.GetBytes(csv.ToString()));
            files.Add(csvPath);
            if (summaries.Count > 1) files.Add(WriteFigure(folder, summaries));
            var json = new Dictionary<string, object?>
            {
                ["run"] = run.Root, ["images"] = request.Images, ["count"] = names.Count, ["spacing"] = model.Config.Sampler.Spacing,
                ["decoder_seed"] = request.Seed, ["error"] = "per-image RMSE of decode(invert(x_0)) - x_0 in pixel units [0, 1]",
                ["points"] = summaries,
            };
            string jsonPath = Path.Combine(folder, "inversion.json");
            AtomicFile.Write(jsonPath, s => s.Write(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(json, JsonDefaults.Options) + "\n")));
            files.Add(jsonPath);
            return new InversionOutcome(folder, files, summaries, names.Count);
        }
    }

    private static string WriteFigure(string folder, IReadOnlyList<InversionSummary> points)
    {
        string path = Path.Combine(folder, "error-vs-steps.png");
        var plot = new LinePlot
        {
            Title = "DDIM inversion: reconstruction error", XLabel = "steps K", YLabel = "mean RMSE (pixels in [0, 1])", LogY = true,
        };
        foreach (var group in points.GroupBy(p => p.Eta))
        {
            var ordered = group.OrderBy(p => p.Steps).ToArray();
            plot.Add(ordered.Select(p => (double)p.Steps).ToArray(), ordered.Select(p => p.MeanRmse).ToArray(), $"decode eta = {Format(group.Key)}");
        }
        plot.Save(path);
        return path;
    }

    /// <summary>The images in [-1, 1] with the run's shape, and a name for each.</summary>
    private static (Tensor Images, List<string> Names) LoadImages(string source, RunDirectory run, ImageDdpmModel model, Device device)
    {
        var shape = model.ImageShape;
        if (source.StartsWith(HeldOutPrefix, StringComparison.Ordinal))
        {
            if (!int.TryParse(source[HeldOutPrefix.Length..], out int n) || n < 1)
                throw new ConfigException($"--image {source}: give held-out:N with N >= 1 (the run's first N held-out images)");
            using var heldOut = RunImages.HeldOut(model.Config.Training.Data, model.Config.HeldOut, device: device);
            n = Math.Min(n, heldOut.Count);
            return (heldOut.Images.narrow(0, 0, n).clone(), Enumerable.Range(0, n).Select(i => $"held-out #{i}").ToList());
        }
        using var images = PngFolder.Load(source, device: device);
        if (images.Channels != shape[0] || images.Height != shape[1] || images.Width != shape[2])
            throw new ConfigException($"--image {source}: images are {images.Channels}x{images.Height}x{images.Width} (CxHxW) but the run " +
                $"{run.Name} models {string.Join("x", shape)}; give images of that size");
        var names = Directory.Exists(source)
            ? Directory.GetFiles(source, "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
                .Select(f => Path.GetRelativePath(source, f)).ToList()
            : [Path.GetFileName(source)];
        return (images.Images.clone(), names);
    }

    private static string Label(string source) =>
        source.StartsWith(HeldOutPrefix, StringComparison.Ordinal) ? "held-out-" + source[HeldOutPrefix.Length..]
            : Path.GetFileNameWithoutExtension(source.TrimEnd('/', Path.DirectorySeparatorChar));

    private static string Format(double eta) => eta.ToString("0.###", CultureInfo.InvariantCulture);
}
