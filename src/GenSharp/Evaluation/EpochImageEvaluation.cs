using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Evaluation;

/// <summary>
/// The per-epoch image-metric curve of the Fashion-MNIST GAN and VAE runs (<c>--epoch-eval-samples</c>): after every epoch,
/// FD, KID, precision/recall, classifier score and the predicted-class histogram of n generated images against the
/// probe's held-out images, beside the FD floor at the same n (n random training images against the same held-out
/// images), as one eval_curve.jsonl record (with the feature network's version) and one class-histogram plot.
/// </summary>
public sealed class EpochImageEvaluation : IDisposable
{
    private readonly ImageQualityProbe _probe;

    private EpochImageEvaluation(ImageQualityProbe probe, int n, double fdFloor)
    {
        _probe = probe;
        N = n;
        FdFloor = fdFloor;
    }

    /// <summary>Generated images scored per epoch.</summary>
    public int N { get; }

    /// <summary>FD of N training images against the held-out images.</summary>
    public double FdFloor { get; }

    /// <summary>
    /// Null when <paramref name="n"/> is 0 (off) or the feature network or data are missing (then with a one-line note
    /// on <paramref name="log"/>); otherwise compares n samples per epoch with the first <paramref name="nReal"/> test images.
    /// </summary>
    public static EpochImageEvaluation? TryCreate(int n, int nReal, string? dataDir, Device device, long seed, TextWriter log)
    {
        if (n <= 0) return null;
        var probe = ImageQualityProbe.TryCreate(nReal, dataDir, device, out string? skipped);
        if (probe is null)
        {
            log.WriteLine($"note: per-epoch FD/KID/precision/recall/class histogram skipped ({skipped?.Split(';')[0]})");
            return null;
        }
        try
        {
            return new EpochImageEvaluation(probe, n, probe.FdFloor(n, seed));
        }
        catch
        {
            probe.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Scores <paramref name="samples"/> (N images in [-1, 1]), adds the metrics, <c>features</c>, <c>n</c>, <c>n_reference</c>,
    /// <c>fd_floor</c> and <c>class_histogram</c> to <paramref name="record"/> (the caller appends it to eval_curve.jsonl) and
    /// saves <c>samples/classes-epoch-NNN.png</c>.
    /// </summary>
    public ImageMetricsReport AddTo(Dictionary<string, object?> record, Tensor samples, RunDirectory run, int epoch, long seed)
    {
        var m = _probe.Score(samples, seed);
        record["n"] = m.NGenerated;
        record["n_reference"] = m.NReal;
        record["features"] = _probe.Version;
        record["fd_floor"] = FdFloor;
        foreach (var (k, v) in m.ToDictionary()) record[k] = v;
        record["class_histogram"] = m.ClassHistogram;
        ImageQualityProbe.SaveClassHistogram(m.ClassHistogram, Path.Combine(run.SamplesDir, $"classes-epoch-{epoch:D3}.png"),
            $"predicted classes of {m.NGenerated} samples, epoch {epoch} (recall {m.Recall:F3})");
        return m;
    }

    /// <summary>One console line for an epoch.</summary>
    public string Summary(ImageMetricsReport m) =>
        $"FD {m.FrechetDistance:F2} (floor {FdFloor:F2})  recall {m.Recall:F3}  precision {m.Precision:F3}  largest class " +
        $"{m.ClassHistogram.Max():P1}";

    public void Dispose() => _probe.Dispose();
}
