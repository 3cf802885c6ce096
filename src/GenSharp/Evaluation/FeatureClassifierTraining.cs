using System.Diagnostics;
using GenSharp.Data;
using GenSharp.Output;
using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Evaluation;

/// <summary>
/// Trains the Fashion-MNIST feature classifier deterministically from a seed: AdamW with warm-up and
/// cosine decay, label smoothing 0.1, and light augmentation (random horizontal flips and +-2 pixel
/// shifts). Writes the weights as safetensors with their accuracy, seed and command in the metadata.
/// </summary>
public static class FeatureClassifierTraining
{
    public sealed record Options(int Epochs = 20, int Batch = 128, double Lr = 3e-3, long Seed = 0, string? DataDir = null);

    public sealed record Outcome(double TestAccuracy, double TrainSeconds, long Parameters, string Path);

    public static Outcome Train(Options options, string outputPath, Device device, string command, bool quiet = false, TextWriter? log = null)
    {
        if (options.Epochs < 1 || options.Batch < 1) throw new ConfigException("--epochs and --batch must be at least 1");
        using var train = FashionMnist.Load(FashionMnistSplit.Train, options.DataDir, device: device);
        using var test = FashionMnist.Load(FashionMnistSplit.Test, options.DataDir, device: device);
        manual_seed(options.Seed);
        using var g = new Generator((ulong)options.Seed, CPU);
        using var model = new FeatureClassifier(new FeatureClassifierConfig());
        model.to(device);
        using var opt = optim.AdamW(model.parameters(), options.Lr, weight_decay: 5e-4);
        using var sampler = new BatchSampler(train.Count, options.Batch, options.Seed);
        long total = (long)options.Epochs * sampler.BatchesPerEpoch;
        var schedule = new LearningRateSchedule(options.Lr, total, Math.Min(500, total / 10), "cosine").Validate();
        var clock = Stopwatch.StartNew();
        using (var progress = ProgressReporter.Start("train feature classifier", total, quiet))
        {
            double lossSum = 0;
            for (long step = 0; step < total; step++)
            {
                model.train();
                foreach (var group in opt.ParamGroups) group.LearningRate = schedule.At(step);
                using var scope = NewDisposeScope();
                var idx = sampler.BatchIndices(step).to(device);
                var x = Augment(train.Batch(idx), g);
                var y = train.Labels!.index_select(0, idx);
                var loss = nn.functional.cross_entropy(model.call(x), y, label_smoothing: 0.1);
                opt.zero_grad();
                loss.backward();
                opt.step();
                lossSum += loss.item<float>();
                if ((step + 1) % 50 == 0)
                {
                    progress.Report(step + 1, new Dictionary<string, double> { ["loss"] = lossSum / 50 });
                    lossSum = 0;
                }
                if ((step + 1) % sampler.BatchesPerEpoch == 0 && log is not null)
                    log.WriteLine($"epoch {(step + 1) / sampler.BatchesPerEpoch}/{options.Epochs}: " +
                        $"test accuracy {Accuracy(model, test):P2} ({clock.Elapsed.TotalSeconds:F0} s)");
            }
        }
        double seconds = clock.Elapsed.TotalSeconds;
        double accuracy = Accuracy(model, test);
        long parameters = model.parameters().Sum(p => p.numel());
        var metadata = new Dictionary<string, string>
        {
            ["version"] = FeatureClassifierConfig.Version,
            ["test_accuracy"] = accuracy.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            ["epochs"] = options.Epochs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["batch"] = options.Batch.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["lr"] = options.Lr.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            ["seed"] = options.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["train_seconds"] = seconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture),
            ["command"] = command,
            ["data_hash"] = train.ContentHash,
        };
        using (var scope = NewDisposeScope())
            Safetensors.Save(outputPath, model.state_dict().Select(kv => KeyValuePair.Create(kv.Key, kv.Value)), metadata);
        return new Outcome(accuracy, seconds, parameters, outputPath);
    }

    /// <summary>Test accuracy of a classifier (eval mode, batched).</summary>
    public static double Accuracy(FeatureClassifier model, ImageDataset data, int batch = 1000)
    {
        model.eval();
        using var noGrad = no_grad();
        long correct = 0;
        for (int start = 0; start < data.Count; start += batch)
        {
            using var scope = NewDisposeScope();
            int n = Math.Min(batch, data.Count - start);
            var pred = model.call(data.Images.narrow(0, start, n)).argmax(1);
            correct += pred.eq(data.Labels!.narrow(0, start, n)).sum().item<long>();
        }
        return (double)correct / data.Count;
    }

    /// <summary>Random horizontal flip per image and one random shift of up to 2 pixels per batch.</summary>
    private static Tensor Augment(Tensor x, Generator g)
    {
        var flip = (rand([x.shape[0], 1, 1, 1], generator: g) < 0.5).to(x.device);
        x = where(flip, x.flip(3), x);
        var shift = randint(-2, 3, [2], dtype: ScalarType.Int64, generator: g).data<long>().ToArray();
        var padded = nn.functional.pad(x, [2, 2, 2, 2], value: -1);
        return padded.narrow(2, 2 + shift[0], x.shape[2]).narrow(3, 2 + shift[1], x.shape[3]);
    }
}
