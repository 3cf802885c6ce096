using System.Diagnostics;
using GenSharp.Nn;
using GenSharp.Output;
using GenSharp.Score.Losses;
using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Score.Toy;

/// <summary>A trained 2D score network (its EMA weights, in eval mode) and its training record.</summary>
public sealed record TrainedScore(ScoreMlp Model, double[] Losses, double Seconds, long Steps) : IDisposable
{
    /// <summary>The network as a <see cref="NoiseConditionalScore"/> (no gradients).</summary>
    public NoiseConditionalScore Score => (x, sigma) =>
    {
        using var noGrad = no_grad();
        return Model.call(x, sigma);
    };

    public void Dispose() => Model.Dispose();
}

/// <summary>
/// Trains a <see cref="ScoreMlp"/> on a fixed 2D training set with a score-matching loss: Adam (linear
/// warm-up over min(100, steps/10) steps, then cosine decay), minibatches
/// drawn with replacement, a noise level per example drawn uniformly from the given levels (one level =
/// fixed-sigma training), and an EMA of the weights (NCSNv2 technique 5) that is returned for sampling.
/// One dispose scope per step.
/// </summary>
public static class ScoreToyTrainer
{
    public static TrainedScore Train(
        ScoreMlpConfig network, IScoreMatchingLoss loss, Tensor trainSet, double[] sigmas, int steps, int batch, double lr,
        double emaDecay, long seed, Device device, string description, bool quiet)
    {
        torch.manual_seed(seed);
        var model = new ScoreMlp(network);
        model.to(device);
        var shadow = new ScoreMlp(network);
        shadow.to(device);
        var ema = new Ema(model, shadow, emaDecay);
        using var optimizer = optim.Adam(model.parameters(), lr);
        var schedule = new LearningRateSchedule(lr, steps, Math.Min(100, steps / 10), "cosine").Validate();
        using var g = new Generator((ulong)seed, device);
        using var data = trainSet.to(device);
        using var levels = tensor(sigmas, device: device).to_type(ScalarType.Float32);
        var losses = new double[steps];
        var clock = Stopwatch.StartNew();
        model.train();
        using (var progress = ProgressReporter.Start(description, steps, quiet))
        {
            for (int step = 0; step < steps; step++)
            {
                using var scope = NewDisposeScope();
                var index = randint(0, data.shape[0], [batch], dtype: ScalarType.Int64, device: device, generator: g);
                var x = data.index_select(0, index);
                var sigma = levels.index_select(0, randint(0, sigmas.Length, [batch], dtype: ScalarType.Int64, device: device, generator: g));
                foreach (var group in optimizer.ParamGroups) group.LearningRate = schedule.At(step);
                optimizer.zero_grad();
                var value = loss.Loss((u, s) => model.call(u, s), x, sigma, g);
                value.backward();
                optimizer.step();
                ema.Update(step);
                losses[step] = value.item<float>();
                if (step % 25 == 0 || step == steps - 1)
                    progress.Report(step + 1, new Dictionary<string, double> { ["loss"] = losses[Math.Max(0, step - 24)..(step + 1)].Average() });
            }
        }
        model.Dispose();
        shadow.eval();
        return new TrainedScore(shadow, losses, clock.Elapsed.TotalSeconds, steps);
    }
}
