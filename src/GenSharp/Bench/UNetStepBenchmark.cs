using System.Diagnostics;
using GenSharp.Nn;
using GenSharp.Output;
using GenSharp.Runtime;
using static TorchSharp.torch;

namespace GenSharp.Bench;

/// <summary>
/// Times the U-Net's DDPM training step (<see cref="UNetTrainingStep"/>) and reports achieved GFLOP/s
/// from the analytic FLOP count (<see cref="UNetCost"/>); checks that resident memory stays flat.
/// </summary>
internal static class UNetStepBenchmark
{
    public sealed record Result(long Params, int Batch, TimingSummary Step, double GflopPerStep, string Precision)
    {
        /// <summary>Achieved GFLOP/s at the median step time.</summary>
        public double Gflops => GflopPerStep / Step.MedianSeconds;
    }

    /// <summary>Resident memory after <see cref="StepsA"/> and <see cref="StepsB"/> steps.</summary>
    public sealed record MemoryResult(
        long Params, int Batch, int StepsA, long RssBytesA, int StepsB, long RssBytesB, long LiveTensorsA, long LiveTensorsB, double Seconds)
    {
        public double Ratio => (double)RssBytesB / RssBytesA;
    }

    public static Result Run(UNetConfig config, int batch, int steps, int warmup, Device device, bool quiet = false, string precision = "fp32")
    {
        if (steps < 1) throw new ConfigException($"--steps {steps}: must be at least 1");
        if (warmup < 0) throw new ConfigException($"--warmup {warmup}: must be at least 0");
        var cost = UNetCost.Of(config);
        using var step = new UNetTrainingStep(config, batch, device, precision: precision);
        var times = new List<double>();
        using (var progress = ProgressReporter.Start("bench unet-step", warmup + steps, quiet))
        {
            for (int i = 0; i < warmup + steps; i++)
            {
                var clock = Stopwatch.StartNew();
                float loss = step.Run();
                if (i >= warmup) times.Add(clock.Elapsed.TotalSeconds);
                progress.Report(i + 1, new Dictionary<string, double> { ["loss"] = loss });
            }
        }
        return new Result(cost.Parameters, batch, TimingSummary.Of(times), cost.TrainingFlops(batch) / 1e9, step.Precision);
    }

    /// <summary>Runs <paramref name="stepsB"/> steps and reads VmRSS after <paramref name="stepsA"/> and after the last.</summary>
    public static MemoryResult Memory(
        UNetConfig config, int batch, int stepsA, int stepsB, Device device, bool quiet = false, string precision = "fp32")
    {
        if (stepsA < 1 || stepsB <= stepsA)
            throw new ConfigException($"--n1 {stepsA} / --n2 {stepsB}: need 1 <= n1 < n2");
        if (ProcessMemory.ResidentBytes() is null)
            throw new ConfigException("the memory check reads /proc/self/status (VmRSS), which this system does not have");
        var clock = Stopwatch.StartNew();
        using var step = new UNetTrainingStep(config, batch, device, precision: precision);
        long rssA = 0, liveA = 0;
        using (var progress = ProgressReporter.Start("bench unet-step --memory", stepsB, quiet))
        {
            for (int i = 1; i <= stepsB; i++)
            {
                float loss = step.Run();
                if (i == stepsA)
                {
                    rssA = ProcessMemory.ResidentBytes()!.Value;
                    liveA = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
                }
                progress.Report(i, new Dictionary<string, double> { ["loss"] = loss });
            }
        }
        long rssB = ProcessMemory.ResidentBytes()!.Value;
        long liveB = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        return new MemoryResult(UNetCost.Of(config).Parameters, batch, stepsA, rssA, stepsB, rssB, liveA, liveB, clock.Elapsed.TotalSeconds);
    }
}
