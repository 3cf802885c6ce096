using System.Diagnostics;
using System.Globalization;
using GenSharp.Data;
using GenSharp.Output;
using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Evaluation;

/// <summary>
/// The training loop of GenSharp's committed evaluation networks (the Fashion-MNIST feature classifier and the CAPTCHA OCR):
/// AdamW (weight decay 5e-4) with warm-up and cosine decay over epochs of seeded mini-batches, a progress bar, and a line per
/// epoch on <c>log</c>. The network, its batches and its loss are the caller's; the weights are saved with
/// <see cref="Save"/>, their accuracy, seed and command in the metadata.
/// </summary>
public static class SupervisedTraining
{
    /// <summary>Epochs over <paramref name="Count"/> examples in batches of <paramref name="Batch"/>, peak learning rate
    /// <paramref name="Lr"/>.</summary>
    public sealed record Plan(int Epochs, int Batch, double Lr, long Seed, int Count);

    /// <summary>
    /// Trains <paramref name="model"/>: each step's loss is <paramref name="lossOf"/>(batch indices on <paramref name="device"/>);
    /// after each epoch <paramref name="epochEnd"/> returns a line for <paramref name="log"/> (e.g. the test accuracy). Returns the seconds.
    /// </summary>
    public static double Run(nn.Module model, Plan plan, Device device, Func<Tensor, Tensor> lossOf, string title, bool quiet,
        TextWriter? log, Func<string>? epochEnd = null)
    {
        if (plan.Epochs < 1 || plan.Batch < 1) throw new ConfigException("--epochs and --batch must be at least 1");
        using var opt = optim.AdamW(model.parameters(), plan.Lr, weight_decay: 5e-4);
        using var sampler = new BatchSampler(plan.Count, plan.Batch, plan.Seed);
        long total = (long)plan.Epochs * sampler.BatchesPerEpoch;
        var schedule = new LearningRateSchedule(plan.Lr, total, Math.Min(500, total / 10), "cosine").Validate();
        var clock = Stopwatch.StartNew();
        using var progress = ProgressReporter.Start(title, total, quiet);
        double lossSum = 0;
        for (long step = 0; step < total; step++)
        {
            model.train();
            foreach (var group in opt.ParamGroups) group.LearningRate = schedule.At(step);
            using (var scope = NewDisposeScope())
            {
                var loss = lossOf(sampler.BatchIndices(step).to(device));
                opt.zero_grad();
                loss.backward();
                opt.step();
                lossSum += loss.item<float>();
            }
            if ((step + 1) % 50 == 0)
            {
                progress.Report(step + 1, new Dictionary<string, double> { ["loss"] = lossSum / 50 });
                lossSum = 0;
            }
            if ((step + 1) % sampler.BatchesPerEpoch == 0 && log is not null && epochEnd is not null)
                log.WriteLine($"epoch {(step + 1) / sampler.BatchesPerEpoch}/{plan.Epochs}: {epochEnd()} ({clock.Elapsed.TotalSeconds:F0} s)");
        }
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>Saves the weights with the recipe, the accuracy and the command in the safetensors metadata.</summary>
    public static void Save(string path, nn.Module model, string version, Plan plan, double seconds, string command, string dataHash,
        IReadOnlyDictionary<string, double> accuracies)
    {
        var metadata = new Dictionary<string, string>
        {
            ["version"] = version,
            ["epochs"] = plan.Epochs.ToString(CultureInfo.InvariantCulture),
            ["batch"] = plan.Batch.ToString(CultureInfo.InvariantCulture),
            ["lr"] = plan.Lr.ToString("R", CultureInfo.InvariantCulture),
            ["seed"] = plan.Seed.ToString(CultureInfo.InvariantCulture),
            ["train_seconds"] = seconds.ToString("F1", CultureInfo.InvariantCulture),
            ["command"] = command,
            ["data_hash"] = dataHash,
        };
        foreach (var (k, v) in accuracies) metadata[k] = v.ToString("R", CultureInfo.InvariantCulture);
        using var scope = NewDisposeScope();
        Safetensors.Save(path, model.state_dict().Select(kv => KeyValuePair.Create(kv.Key, kv.Value)), metadata);
    }
}
