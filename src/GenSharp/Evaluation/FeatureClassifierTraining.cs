using GenSharp.Data;
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
        var plan = new SupervisedTraining.Plan(options.Epochs, options.Batch, options.Lr, options.Seed, train.Count);
        double seconds = SupervisedTraining.Run(model, plan, device,
            idx => nn.functional.cross_entropy(model.call(Augment(train.Batch(idx), g)), train.Labels!.index_select(0, idx), label_smoothing: 0.1),
            "train feature classifier", quiet, log, () => $"test accuracy {Accuracy(model, test):P2}");
        double accuracy = Accuracy(model, test);
        long parameters = model.parameters().Sum(p => p.numel());
        SupervisedTraining.Save(outputPath, model, FeatureClassifierConfig.Version, plan, seconds, command, train.ContentHash,
            new Dictionary<string, double> { ["test_accuracy"] = accuracy });
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
