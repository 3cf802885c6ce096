using GenSharp.Data;
using GenSharp.Evaluation;
using GenSharp.Training;
using static TorchSharp.torch;

namespace GenSharp.Pipelines;

/// <summary>
/// The metric-over-training curve of an image run: FD (and KID, precision, recall) of <see cref="Training.TrainingSettings.EvalSamples"/> EMA
/// samples against as many held-out images, beside the floor at the same n (<see cref="ReferenceBaselines.FdFloor"/>), one
/// eval_curve.jsonl record per point. Further samplers (the image DDPM's <c>--eval-samplers</c>) are scored in the same record from the
/// same start noises against the same held-out features, as <c>fd@LABEL</c> and <c>sampling_s@LABEL</c>. The feature network is looked
/// for at every point until found (a missing file skips that
/// point with a notice); data it cannot score (not 28x28 grey) switch the curve off.
/// </summary>
internal sealed class ImageTrainingCurve(ImageRunConfig config, RunDirectory run, bool quiet, TextWriter log) : IDisposable
{
    private FeatureExtractor? _extractor;
    private Tensor? _reference;
    private double? _floor;
    private bool _unusable;

    /// <summary>Scores samples of <paramref name="sampler"/> at <paramref name="step"/> and appends the record.</summary>
    public void Record(long step, IImageSampler sampler, Device device, IReadOnlyList<IImageSampler>? others = null)
    {
        if (_unusable) return;
        if (_extractor is null)
        {
            var notes = new StringWriter();
            _extractor = FeatureExtractor.TryLoadFor(config.Training.Data, config.ImageShape, notes);
            bool ready = _extractor is not null && Prepare(notes);
            if (!quiet && notes.ToString().Length > 0) log.WriteLine($"step {step}: {notes.ToString().Trim()}");
            if (_extractor is null) _unusable = config.ImageShape is not [1, 28, 28];
            else if (!ready) _unusable = true;
        }
        if (_extractor is null || _reference is null) return;
        using var scope = NewDisposeScope();
        var drawn = BatchedSampling.Draw(sampler, config.Training.EvalSamples, config.Training.Seed + 3, device, quiet: true);
        var (features, logits) = _extractor.Extract(drawn.Samples);
        var report = ImageMetrics.FromFeatures(_extractor.Version, _reference, features, logits, config.Training.Seed);
        var record = new Dictionary<string, object?>
        {
            ["step"] = step,
            ["n"] = config.Training.EvalSamples,
            ["sampler"] = sampler.Label,
            ["features"] = _extractor.Version,
        };
        if (_floor is double floor) record["fd_floor"] = floor;
        record["sampling_s"] = Math.Round(drawn.Seconds, 2);
        foreach (var (k, v) in report.ToDictionary()) record[k] = v;
        foreach (var other in others ?? [])
        {
            var extra = BatchedSampling.Draw(other, config.Training.EvalSamples, config.Training.Seed + 3, device, quiet: true);
            var (otherFeatures, _) = _extractor.Extract(extra.Samples);
            double fd = FrechetDistance.Compute(_reference, otherFeatures);
            record[$"fd@{other.Label}"] = fd;
            record[$"sampling_s@{other.Label}"] = Math.Round(extra.Seconds, 2);
            extra.Samples.Dispose();
            if (!quiet) log.WriteLine($"step {step}: FD {fd:F3} with {other.Label} ({extra.Seconds:F0} s)");
        }
        run.EvalCurve.Append(record);
        drawn.Samples.Dispose();
        string floorText = _floor is double f ? $"floor {f:F3}" : "no floor";
        if (!quiet)
            log.WriteLine($"step {step}: FD {report.FrechetDistance:F3} ({floorText}, {config.Training.EvalSamples} samples, " +
                          $"{sampler.Label}, {drawn.Seconds:F0} s)");
    }

    /// <summary>Features of the held-out images and the floor at n; false (reason in <paramref name="notes"/>) when too few are held out.</summary>
    private bool Prepare(TextWriter notes)
    {
        using var heldOut = RunImages.HeldOut(config.Training.Data, config.HeldOut);
        using var train = RunImages.Train(config.Training.Data, config.HeldOut);
        int n = config.Training.EvalSamples, m = Math.Min(n, heldOut.Count);
        if (m < 10)
        {
            notes.WriteLine($"note: {config.Training.Data} holds out only {heldOut.Count} images; the FD curve needs at least 10, so it is skipped");
            return false;
        }
        using var scope = NewDisposeScope();
        var (real, _) = _extractor!.Extract(heldOut.Images.narrow(0, 0, m));
        string? reason = ReferenceBaselines.Unavailable(config.Training.Data, config.HeldOut, train.Count, heldOut.Count, n);
        if (reason is null) _floor = ReferenceBaselines.FdFloor(_extractor, train.Images, real, n, config.Training.Seed);
        else notes.WriteLine($"note: {reason}");
        _reference = real.MoveToOuterDisposeScope();
        return true;
    }

    public void Dispose()
    {
        _extractor?.Dispose();
        _reference?.Dispose();
    }
}
