using System.Text;
using System.Text.Json;
using GenSharp.Diffusion.Samplers;
using GenSharp.Nn;
using GenSharp.Output;
using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Diffusion.Images;

/// <summary>One sampler's entry in the comparison figure.</summary>
public sealed record SamplerComparisonEntry(string Label, SamplerSpec Spec, int Images, int FunctionEvaluations, double Seconds, string Grid)
{
    public double SamplesPerSecond => Images / Math.Max(Seconds, 1e-9);
}

/// <summary>
/// The course's figures for an image DDPM (docs/ddpm.md#forward-process, docs/samplers.md): forward noising of real images (closed form and
/// step by step side by side), the reverse process as a strip, DDPM vs DDIM (several eta and step counts) vs
/// DPM-Solver++ grids from one start noise with their wall times, and a DDIM interpolation between two noises.
/// Every figure is a PNG under plots/; the comparison's numbers go to plots/samplers.json.
/// </summary>
internal static class ImageDdpmFigures
{
    /// <summary>The columns of the forward-noising figure (the course shows t = 0, 20, 40, 60, ...).</summary>
    public static readonly int[] ForwardSteps = [0, 20, 40, 60, 100, 200, 300, 500, 700, 1000];

    /// <summary>
    /// The samplers compared (same start noise for all), derived from T: ancestral DDPM, DDIM with 100, 50 and 20 steps
    /// (eta 0) and with 50 steps at eta 0.1 and 1, DPM-Solver++ with 20 and 10 steps; step counts above T become T, and
    /// settings that coincide are drawn once.
    /// </summary>
    public static IReadOnlyList<SamplerSpec> ComparedSamplers(int timesteps)
    {
        SamplerSpec Ddim(int k, double eta) => new("ddim", Math.Min(k, timesteps), eta);
        SamplerSpec Dpmpp(int k) => new("dpmpp", Math.Min(k, timesteps));
        return new[]
        {
            SamplerRegistry.Find("ddpm").Defaults(timesteps, clipX0: true),
            Ddim(100, 0.0), Ddim(50, 0.0), Ddim(50, 0.1), Ddim(50, 1.0), Ddim(20, 0.0),
            Dpmpp(20), Dpmpp(10),
        }.Select(s => s.Validate(timesteps)).Distinct().ToList();
    }

    public static string SamplersJsonPath(RunDirectory run) => Path.Combine(run.PlotsDir, "samplers.json");

    public static void WriteAll(RunDirectory run, ImageDdpmConfig config, UNet model, GaussianDiffusion diffusion, Device device, bool quiet)
    {
        WriteForwardNoising(run, config, diffusion);
        WriteReverseProcess(run, config, model, diffusion, device, quiet);
        WriteSamplerComparison(run, config, model, diffusion, device, quiet);
        WriteInterpolation(run, config, model, diffusion, device);
    }

    /// <summary>Three held-out images noised to t = 0, 20, 40, ...: closed form q(x_t|x_0) above, T single steps q(x_t|x_{t-1}) below.</summary>
    public static string WriteForwardNoising(RunDirectory run, ImageDdpmConfig config, GaussianDiffusion diffusion)
    {
        using var scope = NewDisposeScope();
        using var reference = ImageDdpmData.Reference(config.Training.Data);
        var device = diffusion.Schedule.Device;
        var x0 = reference.Images.narrow(0, 0, Math.Min(3, reference.Count)).to(device);
        var columns = ForwardSteps.Where(t => t <= diffusion.Timesteps).ToArray();
        using var g = new Generator((ulong)config.Training.Seed + 5, device);
        var closed = new List<Tensor>();
        var stepped = new List<Tensor>();
        var x = x0.clone();
        int done = 0;
        foreach (int t in columns)
        {
            if (t == 0) { closed.Add(x0); stepped.Add(x0); continue; }
            var index = full([x0.shape[0]], t - 1, dtype: ScalarType.Int64, device: device);
            closed.Add(diffusion.QSample(x0, index, randn(x0.shape, generator: g, device: device)));
            for (; done < t; done++)
                x = diffusion.QStep(x, full([x0.shape[0]], done, dtype: ScalarType.Int64, device: device),
                    randn(x0.shape, generator: g, device: device));
            stepped.Add(x);
        }
        var rows = new List<(string, Tensor)>();
        for (int i = 0; i < x0.shape[0]; i++)
        {
            rows.Add(($"closed form #{i + 1}", stack(closed.Select(c => c[i]).ToArray())));
            rows.Add(($"step by step #{i + 1}", stack(stepped.Select(c => c[i]).ToArray())));
        }
        string path = Path.Combine(run.PlotsDir, "forward-noising.png");
        ImageStrip.Save(path, rows, columns.Select(t => $"t={t}").ToArray());
        return path;
    }

    /// <summary>x_t along the ancestral reverse chain for six start noises, every T/10 steps.</summary>
    public static string WriteReverseProcess(RunDirectory run, ImageDdpmConfig config, UNet model, GaussianDiffusion diffusion, Device device,
        bool quiet)
    {
        int T = diffusion.Timesteps;
        var recordAt = Enumerable.Range(0, 10).Select(k => T - 1 - k * T / 10).ToArray();
        var spec = SamplerRegistry.Find("ddpm").Defaults(T, clipX0: true);
        var result = ImageDdpmRecipe.Draw(model, diffusion, spec, 6, config.Training.Seed + 11, device, quiet, new SamplingObserver(recordAt),
            objective: config.Objective);
        using var scope = NewDisposeScope();
        var frames = result.Trajectory.OrderByDescending(kv => kv.Key).Select(kv => kv.Value).Append(result.Samples).ToList();
        var captions = result.Trajectory.Keys.OrderDescending().Select(t => $"t={t + 1}").Append("t=0").ToArray();
        var rows = Enumerable.Range(0, 6).Select(i => ($"#{i + 1}", stack(frames.Select(f => f[i]).ToArray()))).ToList();
        string path = Path.Combine(run.PlotsDir, "reverse-process.png");
        ImageStrip.Save(path, rows, captions);
        foreach (var f in frames) f.Dispose();
        return path;
    }

    /// <summary>Each compared sampler draws 16 images from the same seed (hence the same start noise); grids and wall times.</summary>
    public static IReadOnlyList<SamplerComparisonEntry> WriteSamplerComparison(RunDirectory run, ImageDdpmConfig config, UNet model,
        GaussianDiffusion diffusion, Device device, bool quiet, int images = 16)
    {
        var entries = new List<SamplerComparisonEntry>();
        foreach (var spec in ComparedSamplers(diffusion.Timesteps))
        {
            var result = ImageDdpmRecipe.Draw(model, diffusion, spec, images, config.Training.Seed + 13, device, quiet, objective: config.Objective);
            using var samples = result.Samples;
            string grid = Path.Combine(run.PlotsDir, $"sampler-{spec.Label}.png");
            ImageGrid.Save(samples, grid, columns: 4, scale: 2);
            entries.Add(new SamplerComparisonEntry(spec.Label, spec, images, result.FunctionEvaluations, result.Seconds, grid));
        }
        string json = JsonSerializer.Serialize(entries, JsonDefaults.Options);
        AtomicFile.Write(SamplersJsonPath(run), s => s.Write(Encoding.UTF8.GetBytes(json + "\n")));
        return entries;
    }

    /// <summary>Deterministic DDIM (eta = 0, its default min(50, T) steps) decoding spherical interpolations between two start noises, for three
    /// pairs.</summary>
    public static string WriteInterpolation(RunDirectory run, ImageDdpmConfig config, UNet model, GaussianDiffusion diffusion, Device device,
        int points = 9)
    {
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var g = new Generator((ulong)config.Training.Seed + 17, device);
        long[] shape = [1, model.Config.InChannels, model.Config.Height, model.Config.Width];
        var sampler = SamplerRegistry.Find("ddim").Defaults(diffusion.Timesteps, clipX0: true).Create(diffusion);
        var rows = new List<(string, Tensor)>();
        var weights = Enumerable.Range(0, points).Select(i => i / (double)(points - 1)).ToArray();
        for (int pair = 0; pair < 3; pair++)
        {
            var a = randn(shape, generator: g, device: device);
            var b = randn(shape, generator: g, device: device);
            var noises = cat(weights.Select(w => Slerp.Between(a, b, w)).ToArray(), 0);
            var images = sampler.SampleFrom(config.Objective.AsEps((x, t) => model.call(x, t), diffusion.Schedule), noises, g).Samples;
            rows.Add(($"pair {pair + 1}", images));
        }
        string path = Path.Combine(run.PlotsDir, "ddim-interpolation.png");
        ImageStrip.Save(path, rows, weights.Select(w => $"w={w:0.##}").ToArray());
        return path;
    }
}
