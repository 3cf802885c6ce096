namespace GenSharp.Evaluation;

/// <summary>
/// Exact metrics of 2D samples against a known density.
/// </summary>
/// <param name="N">Number of generated samples scored.</param>
/// <param name="SampleLogLikelihood">Mean log p(x) of the generated samples under the true density (nats).</param>
/// <param name="ReferenceLogLikelihood">Mean log p(x) of true samples (the same n).</param>
/// <param name="ComponentFractions">Fraction of generated samples whose most probable component is k (mixtures with few components only).</param>
/// <param name="TrueWeights">The mixture weights, for comparison.</param>
/// <param name="WeightErrorMax">max_k |fraction_k - w_k|.</param>
/// <param name="WeightErrorTv">Total variation between fractions and weights: 1/2 sum_k |fraction_k - w_k|.</param>
/// <param name="ReferenceWeightErrorMax">The same statistic for true samples: its sampling-noise floor.</param>
/// <param name="SlicedWasserstein">Sliced Wasserstein-2 distance to the true samples.</param>
/// <param name="ReferenceSlicedWasserstein">Sliced W2 between two independent true sample sets (floor).</param>
/// <param name="Mmd2">Unbiased MMD^2 with an RBF kernel.</param>
/// <param name="MmdBandwidth">The RBF bandwidth (median heuristic on the pooled set).</param>
public sealed record Toy2DReport(
    int N,
    double SampleLogLikelihood,
    double ReferenceLogLikelihood,
    double[]? ComponentFractions,
    double[]? TrueWeights,
    double? WeightErrorMax,
    double? WeightErrorTv,
    double? ReferenceWeightErrorMax,
    double SlicedWasserstein,
    double ReferenceSlicedWasserstein,
    double Mmd2,
    double MmdBandwidth)
{
    /// <summary>Sample minus reference mean log-likelihood (0 is perfect; negative means samples sit in less likely places).</summary>
    public double LogLikelihoodGap => SampleLogLikelihood - ReferenceLogLikelihood;

    /// <summary>Flat name -> value view for eval.json and tables.</summary>
    public IReadOnlyDictionary<string, double?> ToDictionary()
    {
        var d = new Dictionary<string, double?>
        {
            ["loglik_samples"] = SampleLogLikelihood,
            ["loglik_true"] = ReferenceLogLikelihood,
            ["loglik_gap"] = LogLikelihoodGap,
            ["weight_error_max"] = WeightErrorMax,
            ["weight_error_tv"] = WeightErrorTv,
            ["weight_error_max_true_samples"] = ReferenceWeightErrorMax,
            ["sliced_w2"] = SlicedWasserstein,
            ["sliced_w2_true_vs_true"] = ReferenceSlicedWasserstein,
            ["mmd2_rbf"] = Mmd2,
            ["mmd_bandwidth"] = MmdBandwidth,
        };
        if (ComponentFractions is not null)
            for (int k = 0; k < ComponentFractions.Length; k++)
                d[$"fraction_component_{k}"] = ComponentFractions[k];
        return d;
    }
}
