using GenSharp.Output;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Vdm;

/// <summary>One estimate in bits/dim: the mean over images and its Monte-Carlo standard error.</summary>
public sealed record BitsEstimate(double Mean, double StandardError)
{
    public static BitsEstimate Of(List<double> values)
    {
        double mean = values.Average();
        double variance = values.Sum(v => (v - mean) * (v - mean)) / Math.Max(values.Count - 1, 1);
        return new BitsEstimate(mean, Math.Sqrt(variance / values.Count));
    }

    /// <summary>The variance of the per-image values (the estimator's variance for one draw of t and eps).</summary>
    public double Variance(int count) => StandardError * StandardError * count;

    public Dictionary<string, double> ToJson() => new() { ["mean"] = Mean, ["standard_error"] = StandardError };
}

/// <summary>The bound of a VDM on held-out images, term by term, with L_T beside L_inf and the estimator's variance by schedule.</summary>
public sealed record VdmBitsPerDimResult(int Images, BitsEstimate Total, BitsEstimate Diffusion, BitsEstimate Prior, BitsEstimate Reconstruction,
    IReadOnlyDictionary<int, BitsEstimate> DiscreteDiffusion, string Schedule, double Variance, double LinearVariance, BitsEstimate LinearDiffusion,
    double Seconds)
{
    public Dictionary<string, object?> ToJson() => new()
    {
        ["images"] = Images,
        ["bits_per_dim"] = Total.ToJson(),
        ["diffusion_L_inf"] = Diffusion.ToJson(),
        ["prior"] = Prior.ToJson(),
        ["reconstruction"] = Reconstruction.ToJson(),
        ["diffusion_L_T"] = DiscreteDiffusion.ToDictionary(kv => kv.Key.ToString(), kv => (object)kv.Value.ToJson()),
        ["loss_variance"] = new Dictionary<string, object?>
        {
            ["schedule"] = Schedule,
            ["variance"] = Variance,
            ["linear_variance"] = LinearVariance,
            ["linear_diffusion_L_inf"] = LinearDiffusion.ToJson(),
            ["note"] = "variance over held-out images of the one-sample L_inf estimate (bits/dim), same network, same noise and times, " +
                       "under the run's schedule and under the linear schedule with the same endpoints",
        },
        ["seconds"] = Math.Round(Seconds, 1),
    };
}

/// <summary>
/// Evaluates a VDM's bound (docs/vdm.md#bound) on held-out images with the EMA network: L_inf, prior and reconstruction (one draw of t and
/// eps per image, low-discrepancy t per batch), L_T for each requested T on the same images and noise, and the variance of the L_inf
/// estimator under the run's schedule and the linear one with the same endpoints (docs/vdm.md#invariance).
/// </summary>
public static class VdmBitsPerDim
{
    public static readonly int[] DiscreteSteps = [10, 100, 1000];

    public static VdmBitsPerDimResult Compute(VdmNetwork model, string schedule, Tensor images, long seed, bool quiet, int batch = 50)
    {
        model.eval();
        using var noGrad = no_grad();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int n = (int)images.shape[0];
        double toBits = 1 / (images[0].numel() * Math.Log(2));
        var (gamma0, gamma1) = model.Schedule.Endpoints();
        using var linear = new LinearLogSnr(gamma0, gamma1);
        Func<Tensor, Tensor, Tensor> eps = (z, g) => model.call(z, g);
        var own = new VdmObjective(model.Schedule, eps);
        var reference = new VdmObjective(linear, eps);
        var diffusion = new List<double>();
        var prior = new List<double>();
        var reconstruction = new List<double>();
        var total = new List<double>();
        var linearDiffusion = new List<double>();
        var discrete = DiscreteSteps.ToDictionary(T => T, _ => new List<double>());
        using var g = new Generator((ulong)seed + 31, images.device);
        int batches = (n + batch - 1) / batch;
        using var progress = ProgressReporter.Start($"VDM bound on {n} images", batches, quiet);
        for (int b = 0; b < batches; b++)
        {
            using var scope = NewDisposeScope();
            var x = images.narrow(0, (long)b * batch, Math.Min(batch, n - b * batch));
            var t = LowDiscrepancyTimes.Draw(x.shape[0], g, x.device);
            var noise = randn(x.shape, generator: g, device: x.device);
            var noise0 = randn(x.shape, generator: g, device: x.device);
            using (var terms = own.Terms(x, t, noise, noise0))
            {
                Add(diffusion, terms.Diffusion, toBits);
                Add(prior, terms.Prior, toBits);
                Add(reconstruction, terms.Reconstruction, toBits);
                Add(total, terms.Total(), toBits);
            }
            using (var terms = reference.Terms(x, t, noise, noise0)) Add(linearDiffusion, terms.Diffusion, toBits);
            foreach (int T in DiscreteSteps)
                using (var terms = own.Terms(x, t, noise, noise0, T)) Add(discrete[T], terms.Diffusion, toBits);
            progress.Report(b + 1);
        }
        var mine = BitsEstimate.Of(diffusion);
        var lin = BitsEstimate.Of(linearDiffusion);
        return new VdmBitsPerDimResult(n, BitsEstimate.Of(total), mine, BitsEstimate.Of(prior), BitsEstimate.Of(reconstruction),
            discrete.ToDictionary(kv => kv.Key, kv => BitsEstimate.Of(kv.Value)), schedule, mine.Variance(n), lin.Variance(n), lin,
            clock.Elapsed.TotalSeconds);
    }

    private static void Add(List<double> values, Tensor perImage, double toBits) =>
        values.AddRange(perImage.to_type(ScalarType.Float64).cpu().data<double>().ToArray().Select(v => v * toBits));
}
