using System.Diagnostics;
using static TorchSharp.torch;

namespace GenSharp.Bench;

/// <summary>
/// The machine's practical fp32 peak: median time of an n x n by n x n matrix product (2 n^3 FLOPs)
/// with the current thread count, as GFLOP/s. The yardstick for a network's fraction of peak.
/// </summary>
internal static class MatmulBenchmark
{
    public sealed record Result(int N, TimingSummary Time)
    {
        public double Gflops => 2.0 * N * N * N / Time.MedianSeconds / 1e9;
        public double BestGflops => 2.0 * N * N * N / Time.MinSeconds / 1e9;
    }

    public static Result Run(int n, int repetitions, Device device)
    {
        if (n < 1) throw new ConfigException($"--n {n}: must be at least 1");
        if (repetitions < 1) throw new ConfigException($"--repeat {repetitions}: must be at least 1");
        using var g = new Generator(0, device);
        using var a = randn([n, n], device: device, generator: g);
        using var b = randn([n, n], device: device, generator: g);
        a.mm(b).Dispose(); // warm-up: thread pool, allocator
        var times = new List<double>();
        for (int i = 0; i < repetitions; i++)
        {
            var clock = Stopwatch.StartNew();
            using (var c = a.mm(b))
            using (var corner = c[0, 0])
                _ = corner.item<float>(); // synchronise (matters on CUDA)
            times.Add(clock.Elapsed.TotalSeconds);
        }
        return new Result(n, TimingSummary.Of(times));
    }
}
