using GenSharp.Gan;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Evaluation;

/// <summary>
/// The classifier two-sample test (Lopez-Paz and Oquab, "Revisiting classifier two-sample tests", ICLR 2017; docs/evaluation.md#c2st):
/// a fresh discriminator (the course's <see cref="ConvDiscriminator"/>, 28x28 grey) is trained with the logistic loss to tell set A
/// (label 0) from set B (label 1) on half of each, and its accuracy on the other half is reported. Under the null hypothesis that A and
/// B come from one distribution the accuracy is 0.5 up to its binomial standard error sqrt(0.25 / m); a generator whose samples can be
/// told from held-out real images scores towards 1.
/// </summary>
public static class ClassifierTwoSampleTest
{
    /// <summary>Held-out accuracy, its binomial standard error, and the number of held-out images it was measured on.</summary>
    public sealed record Result(double Accuracy, double StandardError, int HeldOut);

    /// <summary>Progress units of <see cref="Run"/> on sets of <paramref name="a"/> and <paramref name="b"/> images.</summary>
    public static long Work(long a, long b, int epochs) => epochs * Math.Min(a, b);

    /// <summary>
    /// Trains on the first half (after a seeded shuffle) of min(|A|, |B|) images of each set for <paramref name="epochs"/> epochs
    /// (Adam, learning rate 1e-3, batch 64) and tests on the rest. (N, 1, 28, 28) images in [-1, 1]. Reports
    /// <see cref="Work"/> units to <paramref name="progress"/>, one per training image per epoch.
    /// </summary>
    public static Result Run(Tensor a, Tensor b, long seed, int epochs = 5, Device? device = null, ScoringProgress? progress = null)
    {
        device ??= CPU;
        long m = Math.Min(a.shape[0], b.shape[0]);
        if (m < 20) throw new ConfigException($"{m} images per set: the two-sample test needs at least 20");
        using var scope = NewDisposeScope();
        using var g = new Generator((ulong)seed + 31, CPU);
        var x = cat([a.narrow(0, 0, m).cpu(), b.narrow(0, 0, m).cpu()], 0);
        var y = cat([zeros(m), ones(m)], 0);
        var order = randperm(2 * m, generator: g);
        (x, y) = (x.index_select(0, order), y.index_select(0, order));
        long train = m;                                                             // half of the 2m images
        var (xTrain, yTrain) = (x.narrow(0, 0, train).to(device), y.narrow(0, 0, train).to(device));
        var (xTest, yTest) = (x.narrow(0, train, 2 * m - train).to(device), y.narrow(0, train, 2 * m - train).to(device));

        var globalState = torch.get_rng_state();
        manual_seed(seed + 37);                                                    // the discriminator's initial weights
        using var d = new ConvDiscriminator(new GanNetworksConfig());
        torch.set_rng_state(globalState);
        d.to(device);
        using var optimizer = optim.Adam(d.parameters(), 1e-3);
        const int batch = 64;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            var perm = randperm(train, generator: g).to(device);
            for (long s = 0; s < train; s += batch)
            {
                using var step = NewDisposeScope();
                var idx = perm.narrow(0, s, Math.Min(batch, train - s));
                var loss = nn.functional.binary_cross_entropy_with_logits(d.call(xTrain.index_select(0, idx)), yTrain.index_select(0, idx));
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
            }
            progress?.Advance(train);
        }
        d.eval();
        double correct = 0;
        using (no_grad())
            for (long s = 0; s < xTest.shape[0]; s += 500)
            {
                using var step = NewDisposeScope();
                long k = Math.Min(500, xTest.shape[0] - s);
                var predicted = (d.call(xTest.narrow(0, s, k)) > 0).to_type(ScalarType.Float32);
                correct += predicted.eq(yTest.narrow(0, s, k)).sum().item<long>();
            }
        int heldOut = (int)xTest.shape[0];
        return new Result(correct / heldOut, Math.Sqrt(0.25 / heldOut), heldOut);
    }
}
