namespace GenSharp.Bench;

/// <summary>Median/min/max of timed repetitions, in seconds.</summary>
internal sealed record TimingSummary(double MedianSeconds, double MinSeconds, double MaxSeconds, int Repetitions)
{
    public static TimingSummary Of(IReadOnlyList<double> seconds)
    {
        if (seconds.Count == 0) throw new ArgumentException("no timings");
        var sorted = seconds.Order().ToArray();
        return new TimingSummary(sorted[sorted.Length / 2], sorted[0], sorted[^1], sorted.Length);
    }
}
