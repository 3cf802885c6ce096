using GenSharp.Diffusion.Samplers;
using GenSharp.Nn;
using GenSharp.Output;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Diffusion.Images;

/// <summary>The variational bound of an image DDPM on held-out images, averaged, with its terms (docs/ddpm.md#variational-bound).</summary>
public sealed record ImageDdpmBitsPerDimResult(int Images, double BitsPerDim, double Prior, double Decoder, double DiffusionTerms,
    int[] Timesteps, double[] MeanTerms, double Seconds)
{
    public Dictionary<string, object?> ToJson() => new()
    {
        ["images"] = Images,
        ["bits_per_dim"] = BitsPerDim,
        ["prior_L_T"] = Prior,
        ["decoder_L_0"] = Decoder,
        ["sum_L_t_minus_1"] = DiffusionTerms,
        ["seconds"] = Math.Round(Seconds, 1),
    };
}

/// <summary>
/// Evaluates L_T + sum_t L_{t-1} + L_0 exactly (all T terms) on images in batches, with the EMA network,
/// and writes plots/vlb-terms.png (L_{t-1} against t, the course's term-by-term picture).
/// </summary>
public static class ImageDdpmBitsPerDim
{
    public static ImageDdpmBitsPerDimResult Compute(UNet model, GaussianDiffusion diffusion, Tensor images, long seed, bool quiet,
        string? plotPath = null, int batch = 50, DdpmObjective? objective = null)
    {
        var eps = (objective ?? new DdpmObjective()).AsEps((x, t) => model.call(x, t), diffusion.Schedule);
        model.eval();
        var bound = new VariationalBound(diffusion);
        int n = (int)images.shape[0];
        using var g = new Generator((ulong)seed + 23, images.device);
        int batches = (n + batch - 1) / batch;
        using var progress = ProgressReporter.Start($"variational bound on {n} images", (long)batches * diffusion.Timesteps, quiet);
        double sum = 0, prior = 0, decoder = 0, seconds = 0;
        double[]? terms = null;
        int[] timesteps = [];
        for (int b = 0; b < batches; b++)
        {
            using var scope = NewDisposeScope();
            int size = Math.Min(batch, n - b * batch);
            int done = b * diffusion.Timesteps;
            var observer = new SamplingObserver(onStep: (k, _) => { if (k % 20 == 0) progress.Report(done + k); });
            using var r = bound.Evaluate(eps, images.narrow(0, (long)b * batch, size), g, observer);
            sum += r.BitsPerDim.sum().item<double>();
            prior += r.Prior.sum().item<double>();
            decoder += r.Decoder.sum().item<double>();
            var batchTerms = r.Terms.sum([1]).data<double>().ToArray();
            terms ??= new double[batchTerms.Length];
            for (int i = 0; i < terms.Length; i++) terms[i] += batchTerms[i];
            timesteps = r.Timesteps;
            seconds += r.Seconds;
        }
        progress.Report((long)batches * diffusion.Timesteps);
        var mean = terms!.Select(v => v / n).ToArray();
        if (plotPath is not null && mean.Length > 0)
            new LinePlot { Title = "Variational bound term by term: L_{t-1} (bits/dim) against t", XLabel = "t", YLabel = "bits/dim", LogY = true }
                .Add(timesteps.Select(i => (double)(i + 1)).ToArray(), mean, $"mean over {n} held-out images")
                .Save(plotPath);
        return new ImageDdpmBitsPerDimResult(n, sum / n, prior / n, decoder / n, mean.Sum(), timesteps, mean, seconds);
    }
}
