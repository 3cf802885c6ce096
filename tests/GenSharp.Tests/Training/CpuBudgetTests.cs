using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Training;

/// <summary>
/// The CPU-time budget of the training loop (<c>--cpu-budget</c>): it counts the process's CPU time, so it runs alone (no other test's
/// work in the process meanwhile).
/// </summary>
[Collection("memory")]
public sealed class CpuBudgetTests
{
    [Fact]
    public void ACpuBudgetCountsCpuTimeNotWaiting()
    {
        const double budget = 1.0;
        var run = RunDirectory.Create(Path.Combine(TestTemp.Directory("gensharp-cpu-budget").FullName, "r"));
        using var model = nn.Linear(2, 1);
        using var opt = optim.SGD(model.parameters(), 1e-2);
        using var g = new Generator(1, CPU);
        Tensor Loss(long step)
        {
            Thread.Sleep(40); // waiting: wall time that costs no CPU
            var spin = System.Diagnostics.Stopwatch.StartNew();
            while (spin.Elapsed.TotalSeconds < 0.02) { } // then 20 ms of work on one core
            return model.call(ones(4, 2)).pow(2).mean();
        }
        var config = new TrainerConfig(1_000_000, 4, LogEvery: 10, CheckpointEvery: 1_000_000, CpuBudgetSeconds: budget);
        var trainer = new Trainer(config, model, opt, new LearningRateSchedule(1e-2, config.TotalSteps), null, g, run, Loss);
        trainer.Run(quiet: true);

        Assert.True(trainer.StoppedByTimeBudget);
        Assert.InRange(trainer.CpuSeconds, budget, budget * 1.2);     // stops on the CPU clock, within a few steps of it
        Assert.True(trainer.WallSeconds > 1.5 * trainer.CpuSeconds, $"wall {trainer.WallSeconds} s, CPU {trainer.CpuSeconds} s");
        var again = new Trainer(config, model, opt, new LearningRateSchedule(1e-2, config.TotalSteps), null, g, run, Loss);
        long from = again.Resume();
        again.Run(quiet: true);
        Assert.Equal(from, again.Step); // the CPU time is counted over every session
        Assert.Throws<ConfigException>(() => new TrainingSettings { CpuBudgetSeconds = -1 }.Validate());
    }
}
