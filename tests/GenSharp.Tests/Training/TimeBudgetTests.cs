using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Training;

/// <summary>The wall-time budget of the training loop: stops on time, checkpoints there, and a resumed run does not train past it.</summary>
[Collection("memory")] // timing: no other test's work in the process meanwhile
public sealed class TimeBudgetTests
{
    [Fact]
    public void TrainingStopsWithinOneStepOfTheBudgetAndCheckpointsThere()
    {
        const double budget = 1.5, stepSeconds = 0.05;
        var run = RunDirectory.Create(Path.Combine(TestTemp.Directory("gensharp-budget").FullName, "r"));
        using var model = nn.Linear(2, 1);
        using var opt = optim.SGD(model.parameters(), 1e-2);
        using var g = new Generator(1, CPU);
        Tensor Loss(long step)
        {
            Thread.Sleep(TimeSpan.FromSeconds(stepSeconds)); // a step of known length
            return model.call(ones(4, 2)).pow(2).mean();
        }
        var config = new TrainerConfig(1_000_000, 4, LogEvery: 10, CheckpointEvery: 1_000_000, TimeBudgetSeconds: budget);
        var trainer = new Trainer(config, model, opt, new LearningRateSchedule(1e-2, config.TotalSteps), null, g, run, Loss);
        trainer.Run(quiet: true);

        Assert.True(trainer.StoppedByTimeBudget);
        Assert.InRange(trainer.WallSeconds, budget, budget * 1.05);  // stops within 5 % of the budget (one step is 3 % of it)
        Assert.InRange(trainer.Step, (long)(0.5 * budget / stepSeconds), (long)(budget / stepSeconds) + 1);
        Assert.Equal(run.CheckpointPath(trainer.Step), Checkpoint.FindLatest(run.CheckpointsDir)); // the last step is saved
        Assert.Equal(trainer.Step, (long)run.Metrics.Series("loss").Steps[^1]);                   // and logged

        // resuming a run whose budget is spent trains no further
        var again = new Trainer(config, model, opt, new LearningRateSchedule(1e-2, config.TotalSteps), null, g, run, Loss);
        long from = again.Resume();
        again.Run(quiet: true);
        Assert.Equal(from, again.Step);
        Assert.True(again.StoppedByTimeBudget);
    }

    [Fact]
    public void ANegativeOrInfiniteBudgetIsRefused()
    {
        Assert.Throws<ConfigException>(() => new TrainerConfig(10, 4, TimeBudgetSeconds: -1).Validate());
        Assert.Throws<ConfigException>(() => new TrainingSettings { TimeBudgetSeconds = double.PositiveInfinity }.Validate());
    }

    [Theory]
    [InlineData("90", 90)]
    [InlineData("90s", 90)]
    [InlineData("30m", 1800)]
    [InlineData("1h", 3600)]
    [InlineData("1h30m", 5400)]
    [InlineData("2.5m", 150)]
    [InlineData(" 1H ", 3600)]
    public void DurationsParseAsUsersTypeThem(string text, double seconds) =>
        Assert.Equal(seconds, Durations.ParseSeconds(text, "--time-budget"));

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("0")]
    [InlineData("-5m")]
    [InlineData("1d")]
    [InlineData("m")]
    [InlineData("9999999h")]
    public void BadDurationsGetAOneLineError(string text)
    {
        var e = Assert.Throws<ConfigException>(() => Durations.ParseSeconds(text, "--time-budget"));
        Assert.StartsWith("--time-budget", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
