using GenSharp.Data.Toy;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Vdm.Toy;

/// <summary>
/// The bound of a toy VDM in nats per point on held-out points, term by term, beside the exact negative log-likelihood of the same points
/// under the toy's density, and their paired difference (docs/vdm.md#toy-bound). Means with their Monte-Carlo standard errors.
/// </summary>
public sealed record ToyVdmBoundResult(int Points, BitsEstimate Bound, BitsEstimate Diffusion, BitsEstimate Prior, BitsEstimate Reconstruction,
    double Standardisation, BitsEstimate ExactNll, BitsEstimate Gap, double Seconds)
{
    public Dictionary<string, object?> ToJson() => new()
    {
        ["points"] = Points,
        ["units"] = "nats per point",
        ["bound"] = Bound.ToJson(),
        ["diffusion_L_inf"] = Diffusion.ToJson(),
        ["prior"] = Prior.ToJson(),
        ["reconstruction_gaussian"] = Reconstruction.ToJson(),
        ["standardisation_log_det"] = Standardisation,
        ["exact_nll"] = ExactNll.ToJson(),
        ["bound_minus_exact_nll"] = Gap.ToJson(),
        ["note"] = "bound = diffusion + prior + reconstruction (Gaussian decoder at gamma_0) on the standardised points + sum_d log std_d; " +
                   "exact_nll = -log p(x) under the true density of the same points; a valid bound has bound_minus_exact_nll >= 0 " +
                   "within its standard error",
        ["seconds"] = Math.Round(Seconds, 1),
    };

    /// <summary>The means for eval.json's metrics table.</summary>
    public IEnumerable<(string Key, double Value)> Metrics() =>
    [
        ("bound_nats", Bound.Mean), ("bound_diffusion", Diffusion.Mean), ("bound_prior", Prior.Mean),
        ("bound_reconstruction", Reconstruction.Mean), ("bound_standardisation", Standardisation), ("exact_nll", ExactNll.Mean),
        ("bound_gap", Gap.Mean), ("bound_gap_se", Gap.StandardError),
    ];
}

/// <summary>
/// Estimates a toy VDM's continuous-time bound on fresh points of the toy (Kingma et al. 2021, eq. 11-17; docs/vdm.md#toy-bound):
///   -log p(x) &lt;= L_diffusion + L_prior + L_recon + sum_d log s_d,
/// the first three in the standardised space x' = (x - m) / s where the model lives (<see cref="VdmObjective"/> with the Gaussian decoder
/// N(z_0 / alpha_0, exp(gamma_0)) for continuous data), the last the change of variables back to x. One draw of t (low-discrepancy per
/// batch) and of the noises per point; the exact -log p(x) of the same points gives the paired gap, which must be &gt;= 0 within error.
/// </summary>
public static class ToyVdmBound
{
    public static ToyVdmBoundResult Compute(Func<Tensor, Tensor, Tensor> epsModel, LogSnrSchedule schedule, IToyDistribution distribution,
        double[] dataMean, double[] dataStd, int points, long seed, Device device, int batch = 10_000)
    {
        using var noGrad = no_grad();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var objective = new VdmObjective(schedule, epsModel, discretised: false);
        double logDet = dataStd.Sum(Math.Log);
        using var mean = tensor(dataMean, device: device).to_type(ScalarType.Float32);
        using var std = tensor(dataStd, device: device).to_type(ScalarType.Float32);
        List<double> bound = [], diffusion = [], prior = [], reconstruction = [], nll = [], gap = [];
        using var g = new Generator((ulong)seed + 2_000_003, device);
        for (int start = 0; start < points; start += batch)
        {
            using var scope = NewDisposeScope();
            var x = distribution.Sample(Math.Min(batch, points - start), g, device);
            var exact = -distribution.LogProb(x.to_type(ScalarType.Float64).cpu());
            using var terms = objective.Terms((x - mean) / std, g);
            var total = terms.Total() + logDet;
            Add(diffusion, terms.Diffusion);
            Add(prior, terms.Prior);
            Add(reconstruction, terms.Reconstruction);
            Add(bound, total);
            Add(nll, exact);
            Add(gap, total.cpu() - exact);
        }
        return new ToyVdmBoundResult(points, BitsEstimate.Of(bound), BitsEstimate.Of(diffusion), BitsEstimate.Of(prior),
            BitsEstimate.Of(reconstruction), logDet, BitsEstimate.Of(nll), BitsEstimate.Of(gap), clock.Elapsed.TotalSeconds);
    }

    private static void Add(List<double> values, Tensor perPoint) =>
        values.AddRange(perPoint.to_type(ScalarType.Float64).cpu().data<double>().ToArray());
}
