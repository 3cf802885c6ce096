using System.Globalization;
using GenSharp.Diffusion.Images;
using GenSharp.Diffusion.Samplers;
using GenSharp.Nn;
using GenSharp.Output;
using GenSharp.Score.Samplers;
using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Score.Images;

/// <summary>
/// The figures of an image NCSN (docs/score-models.md#ncsn-images): the noise-level plan (sigma_i and the Langevin step sizes alpha_i),
/// the annealing progression (the same chains after several levels from sigma_1 down to sigma_L and after the
/// final denoising step), and one-step denoising of held-out images at several levels (Tweedie:
/// E[x | x~] = x~ + sigma^2 s(x~, sigma), which shows what the score network learned at each level).
/// Every figure is a PNG under plots/.
/// </summary>
internal static class ImageNcsnFigures
{
    public static string NoiseLevelsPath(RunDirectory run) => Path.Combine(run.PlotsDir, "noise-levels.png");
    public static string ProgressionPath(RunDirectory run) => Path.Combine(run.PlotsDir, "annealing-progression.png");
    public static string DenoisingPath(RunDirectory run) => Path.Combine(run.PlotsDir, "denoising.png");

    public static void WriteAll(RunDirectory run, ImageNcsnConfig config, UNetScoreNetwork model, AnnealedLangevinConfig langevin, Device device,
        bool quiet)
    {
        WriteNoiseLevels(run, config, langevin);
        WriteProgression(run, config, model, langevin, device, quiet);
        WriteDenoising(run, config, model, device);
    }

    /// <summary>sigma_i of the L trained levels and alpha_i = eps sigma_i^2 / sigma_L^2 of the levels the sampler walks, on a log scale.</summary>
    public static string WriteNoiseLevels(RunDirectory run, ImageNcsnConfig config, AnnealedLangevinConfig langevin)
    {
        var sigmas = config.Noise.Sigmas();
        var used = (config.Sampling with { LevelsUsed = langevin.Sigmas.Length }).LevelIndices(sigmas.Length);
        var levelAxis = Enumerable.Range(1, sigmas.Length).Select(i => (double)i).ToArray();
        string path = NoiseLevelsPath(run);
        new LinePlot { Title = $"Noise levels: L = {sigmas.Length}, gamma = {NoiseLevels.Ratio(sigmas):F4}; Langevin eps = {langevin.Eps:G3}, T = " +
            $"{langevin.StepsPerLevel}", XLabel = "level i", YLabel = "value", LogY = true }
            .Add(levelAxis, sigmas, "sigma_i (trained)")
            .Add(used.Select(i => i + 1.0).ToArray(), Enumerable.Range(0, langevin.Sigmas.Length).Select(langevin.StepSize).ToArray(),
            "alpha_i = eps sigma_i^2 / sigma_L^2 (sampling)")
            .Save(path);
        return path;
    }

    /// <summary>Six annealed-Langevin chains: the start noise, the state after levels spread from sigma_1 to sigma_L, and the denoised
    /// sample.</summary>
    public static string WriteProgression(RunDirectory run, ImageNcsnConfig config, UNetScoreNetwork model, AnnealedLangevinConfig langevin,
        Device device, bool quiet,
        int chains = 6, int columns = 8)
    {
        int m = langevin.Sigmas.Length, T = langevin.StepsPerLevel;
        var levels = Enumerable.Range(0, Math.Min(columns, m)).Select(j => (int)Math.Round(j * (m - 1) / (double)(Math.Min(columns, m) - 1)))
            .Distinct().ToArray();
        var recordAt = levels.Select(i => (i + 1) * T).Prepend(0).ToArray();   // state entering step k: k = (i+1) T is the end of level i
        var result = ImageNcsnRecipe.Draw(model, langevin, chains, config.Training.Seed + 11, device, quiet, new SamplingObserver(recordAt));
        using var scope = NewDisposeScope();
        var frames = recordAt.Select(k => ImageNcsnData.ToImageRange(result.Trajectory[k])).Append(result.Samples).ToList();
        var captions = levels.Select(i => "σ=" + langevin.Sigmas[i].ToString("G3", CultureInfo.InvariantCulture)).Prepend("start")
            .Append(langevin.FinalDenoise ? "denoised" : "final").ToArray();
        var rows = Enumerable.Range(0, chains).Select(c => ($"#{c + 1}", stack(frames.Select(f => f[c]).ToArray()))).ToList();
        string path = ProgressionPath(run);
        ImageStrip.Save(path, rows, captions);
        foreach (var t in result.Trajectory.Values) t.Dispose();
        result.Samples.Dispose();
        return path;
    }

    /// <summary>Three held-out images noised at six levels (upper row) and denoised in one step x~ + sigma^2 s(x~, sigma) (lower row).</summary>
    public static string WriteDenoising(RunDirectory run, ImageNcsnConfig config, UNetScoreNetwork model, Device device, int images = 3,
        int columns = 6)
    {
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var reference = ImageDdpmData.Reference(config.Training.Data);
        var x = ((reference.Images.narrow(0, 0, Math.Min(images, reference.Count)) + 1) / 2).to(device);   // [0, 1], the model's space
        var sigmas = config.Noise.Sigmas();
        var picked = Enumerable.Range(0, columns).Select(j => sigmas[(int)Math.Round(j * (sigmas.Length - 1) / (double)(columns - 1))]).ToArray();
        using var g = new Generator((ulong)config.Training.Seed + 19, device);
        var noisy = new List<Tensor>();
        var denoised = new List<Tensor>();
        foreach (double sigma in picked)
        {
            var xt = x + sigma * randn(x.shape, generator: g, device: device);
            var s = model.call(xt, full([x.shape[0]], sigma, dtype: ScalarType.Float32, device: device));
            noisy.Add(ImageNcsnData.ToImageRange(xt).cpu());
            denoised.Add(ImageNcsnData.ToImageRange(xt + sigma * sigma * s).cpu());
        }
        var rows = new List<(string, Tensor)>();
        for (int i = 0; i < x.shape[0]; i++)
        {
            rows.Add(($"noisy #{i + 1}", stack(noisy.Select(t => t[i]).ToArray())));
            rows.Add(($"denoised #{i + 1}", stack(denoised.Select(t => t[i]).ToArray())));
        }
        string path = DenoisingPath(run);
        ImageStrip.Save(path, rows, picked.Select(s => "σ=" + s.ToString("G3", CultureInfo.InvariantCulture)).ToArray());
        return path;
    }
}
