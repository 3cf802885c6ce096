namespace GenSharp.Score.Toy;

/// <summary>Fixed-sigma training at one noise level: how far the learned field is from the exact score of p_sigma.</summary>
/// <param name="Sigma">The noise level.</param>
/// <param name="MeanSquaredError">E_{x ~ p_sigma} || s_theta(x) - grad log p_sigma(x) ||^2 on held-out points.</param>
/// <param name="RelativeError">MeanSquaredError / E || grad log p_sigma ||^2.</param>
/// <param name="GridRelativeError">The same ratio over the figure's grid (uniform over the plotted box, including low-density regions).</param>
/// <param name="TestLoss">The training loss on the held-out set.</param>
/// <param name="TrainSeconds">Wall time of the training.</param>
public sealed record FieldErrorResult(
    double Sigma, double MeanSquaredError, double RelativeError, double GridRelativeError, double TestLoss, double TrainSeconds);

/// <summary>Where one sampler puts the mass: fraction per component and the max deviation from the weights.</summary>
public sealed record WeightResult(string Sampler, string Score, double[] Fractions, double? WeightErrorMax, double Seconds, int FunctionEvaluations);

/// <summary>One trajectory of the figure: start, end, and the component whose mode it ends nearest to.</summary>
public sealed record TrajectoryResult(string Score, string Dynamics, double[] Start, double[] End, int EndComponent);

/// <summary>Everything the score-toy experiments measured (written as results.json).</summary>
public sealed record ScoreToyResults
{
    public string Data { get; init; } = "";
    public double[] Weights { get; init; } = [];
    public double[] Sigmas { get; init; } = [];
    public string SigmaMaxSource { get; init; } = "";
    public double Gamma { get; init; }
    public double Eps { get; init; }
    public string EpsSource { get; init; } = "";
    public double VarianceRatio { get; init; }
    public List<FieldErrorResult> FieldErrors { get; init; } = [];
    public List<TrajectoryResult> Trajectories { get; init; } = [];
    public List<WeightResult> WeightErrors { get; init; } = [];
    public double NcsnTrainSeconds { get; init; }
    public double NcsnFinalLoss { get; init; }
    public Dictionary<string, double?> AnnealedMetrics { get; init; } = [];
    public double TotalSeconds { get; set; }
}
