using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Tests.Training;

/// <summary>
/// A budgeted run with a decaying learning rate plans its length from its measured step time (docs/training.md#time-budget): the plan's
/// arithmetic, and a run that stops on time with its rate at the end of the cosine.
/// </summary>
[Collection("memory")] // timing: no other test's work in the process meanwhile
public sealed class BudgetPlanTests
{
    [Fact]
    public void ThePlanSpendsTheMarginOfWhatIsLeftAtTheMeasuredRate()
    {
        var plan = new BudgetPlan(wallBudget: 100, cpuBudget: 0, cap: 1_000_000);
        plan.StartSession(40);
        for (long step = 41; step <= 40 + BudgetPlan.SkipSteps + BudgetPlan.MeasureSteps; step++)
        {
            bool planned = plan.Observe(step, wallSeconds: 10 + 0.5 * (step - 40), cpuSeconds: 0);
            Assert.Equal(step == 40 + BudgetPlan.SkipSteps + BudgetPlan.MeasureSteps, planned);
        }
        // at step 60 the run has used 20 s of 100 at 0.5 s a step: 0.98 x 80 / 0.5 = 156.8 more steps
        Assert.Equal(60 + 156, plan.Planned);
        // halfway (step 60 + (216 - 60) / 2 = 138) it plans again from the steps since the first plan: here they take 0.4 s
        for (long step = 61; step < 138; step++) Assert.False(plan.Observe(step, 20 + 0.4 * (step - 60), 0));
        Assert.True(plan.Observe(138, 20 + 0.4 * 78, 0));
        Assert.Equal(138 + (long)Math.Floor(0.98 * (100 - 51.2) / 0.4), plan.Planned);
        Assert.False(plan.Observe(139, 51.6, 0)); // and keeps that plan

        var both = new BudgetPlan(wallBudget: 100, cpuBudget: 20, cap: 1_000_000); // the CPU clock is the tighter one here
        both.StartSession(0);
        for (long step = 1; step <= 20; step++) both.Observe(step, wallSeconds: 1.0 * step, cpuSeconds: 0.25 * step);
        Assert.Equal(20 + (long)Math.Floor(0.98 * 15 / 0.25), both.Planned); // 78 steps left on the wall clock, 58 on the CPU clock

        var capped = new BudgetPlan(wallBudget: 1e6, cpuBudget: 0, cap: 30);
        capped.StartSession(0);
        for (long step = 1; step <= 20; step++) capped.Observe(step, 0.01 * step, 0);
        Assert.Equal(30, capped.Planned);

        var saved = new Dictionary<string, string>();
        plan.Save(saved);
        var restored = new BudgetPlan(100, 0, 1_000_000);
        restored.Restore(saved);
        Assert.Equal(plan.Planned, restored.Planned);
        restored.StartSession(200);
        for (long step = 201; step < 260; step++) Assert.False(restored.Observe(step, step, 0)); // a final plan is not remade
    }

    [Fact]
    public void ABudgetedCosineRunStopsOnTimeAtTheEndOfItsSchedule()
    {
        const double budget = 4.0, baseLr = 1e-2;
        var run = RunDirectory.Create(Path.Combine(TestTemp.Directory("gensharp-budget-plan").FullName, "r"));
        using var model = nn.Linear(2, 1);
        using var opt = optim.SGD(model.parameters(), baseLr);
        using var g = new Generator(1, CPU);
        Tensor Loss(long step)
        {
            Thread.Sleep(40); // a step of known length
            return model.call(ones(4, 2)).pow(2).mean();
        }
        var config = new TrainerConfig(TrainingSettings.BudgetedStepCap, 4, LogEvery: 1, CheckpointEvery: 1_000_000, TimeBudgetSeconds: budget);
        var schedule = new LearningRateSchedule(baseLr, config.TotalSteps, WarmupSteps: 5, Decay: "cosine");
        var trainer = new Trainer(config, model, opt, schedule, null, g, run, Loss);
        trainer.Run(quiet: true);

        Assert.True(trainer.StoppedByTimeBudget);
        Assert.InRange(trainer.TotalSteps, 40, 100);                  // planned from ~45 ms steps, far below the cap
        Assert.InRange(trainer.Step, trainer.TotalSteps - 1, trainer.TotalSteps); // its planned end, or the budget one step before it
        Assert.InRange(trainer.WallSeconds, 0.95 * budget, 1.05 * budget);
        var lr = run.Metrics.Series("lr");
        Assert.InRange(lr.Values[^1], 0, 0.01 * baseLr);               // the cosine's final rate (within 1 %) at the last step
        Assert.Equal(baseLr, lr.Values.Max(), 1e-12);
        Assert.Equal(trainer.TotalSteps, (long)run.Metrics.Series("planned_steps").Values[^1]);

        var again = new Trainer(config, model, opt, schedule, null, g, run, Loss); // the plan is in the checkpoint
        again.Resume();
        Assert.Equal(trainer.TotalSteps, again.TotalSteps);
        again.Run(quiet: true);
        Assert.Equal(trainer.Step, again.Step);
    }
}
