using GenSharp.Training;
using System.Diagnostics;
using GenSharp.Diffusion;
using GenSharp.Diffusion.Samplers;
using GenSharp.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Bench;

/// <summary>
/// Times the 2D DDPM's training step (sample data, noise, L_simple, backward, AdamW) and its ancestral
/// sampler (samples/s), with the demo's network and schedule by default.
/// </summary>
internal static class ToyDdpmBenchmark
{
    public sealed record Result(long Params, int Batch, TimingSummary Step, int SampleN, double SampleSeconds, int FunctionEvaluations)
    {
        public double SamplesPerSecond => SampleN / SampleSeconds;
    }

    public static Result Run(
        MlpNoisePredictorConfig network, NoiseScheduleConfig schedule, int batch, int steps, int warmup, int sampleN, Device device)
    {
        manual_seed(0);
        using var g = new Generator(0, device);
        using var model = new MlpNoisePredictor(network);
        model.to(device);
        using var diffusion = new GaussianDiffusion(new NoiseSchedule(schedule, device));
        using var opt = new FusedAdamW(model.parameters(), 1e-3);
        var times = new List<double>();
        for (int i = 0; i < warmup + steps; i++)
        {
            var clock = Stopwatch.StartNew();
            using (var scope = NewDisposeScope())
            {
                var x0 = randn([batch, network.DataDim], device: device, generator: g);
                var loss = diffusion.LossSimple((x, t) => model.call(x, t), x0, g);
                opt.zero_grad();
                loss.backward();
                opt.step();
                _ = loss.item<float>(); // synchronise (matters on CUDA)
            }
            if (i >= warmup) times.Add(clock.Elapsed.TotalSeconds);
        }
        model.eval();
        var result = new AncestralSampler(diffusion).Sample((x, t) => model.call(x, t), [sampleN, network.DataDim], g, device);
        result.Samples.Dispose();
        long parameters = model.parameters().Sum(p => p.numel());
        return new Result(parameters, batch, TimingSummary.Of(times), sampleN, result.Seconds, result.FunctionEvaluations);
    }
}
