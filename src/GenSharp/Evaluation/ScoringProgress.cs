using GenSharp.Output;

namespace GenSharp.Evaluation;

/// <summary>
/// Progress of scoring images (docs/evaluation.md): feature extraction batch by batch, then FD, KID and precision/recall, drawn as
/// training's progress is (<see cref="ProgressReporter"/>: a bar with elapsed time and ETA on a terminal, one summary line otherwise).
/// Work is counted in images: each image through the feature network is one unit, and each of the three metrics counts as many units
/// as the larger set has images (their cost grows with n, and this keeps the ETA honest for the floor's extra comparisons).
/// </summary>
public sealed class ScoringProgress : IDisposable
{
    private readonly ProgressReporter _reporter;
    private long _done;

    private ScoringProgress(ProgressReporter reporter) => _reporter = reporter;

    /// <summary>Units of one comparison of <paramref name="nReal"/> real against <paramref name="nGenerated"/> generated images.</summary>
    public static long Work(long nReal, long nGenerated) => nReal + nGenerated + 3 * Math.Max(nReal, nGenerated);

    /// <summary>A bar for <paramref name="work"/> units (a sum of <see cref="Work"/>); silent when <paramref name="quiet"/>.</summary>
    public static ScoringProgress Start(string description, long work, bool quiet = false) =>
        new(ProgressReporter.Start(description, work, quiet));

    /// <summary>Units done so far.</summary>
    public long Done => _done;

    /// <summary>Records <paramref name="units"/> more units done.</summary>
    public void Advance(long units)
    {
        _done += units;
        _reporter.Report(_done);
    }

    public void Dispose() => _reporter.Dispose();
}
