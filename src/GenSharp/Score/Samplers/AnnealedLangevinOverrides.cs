namespace GenSharp.Score.Samplers;

/// <summary>
/// Annealed-Langevin settings given to <c>gensharp sample</c>/<c>eval</c> (<c>--T --eps --levels-used --no-denoise</c>)
/// that override a score-model run's own; null fields keep the run's value.
/// </summary>
public sealed record AnnealedLangevinOverrides(int? StepsPerLevel = null, double? Eps = null, int? LevelsUsed = null, bool? FinalDenoise = null);
