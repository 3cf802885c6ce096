using System.CommandLine;
using GenSharp.Cli;
using GenSharp.Diffusion.Toy;
using GenSharp.Training;

namespace GenSharp.Tests.Cli;

/// <summary>
/// The shared settings are bound once for every train command (TrainingCliOptions): each command offers the same spelling and
/// reads typed values into the run's "training" object; --time-budget stops a run on time and still writes its report.
/// </summary>
[Collection(GlobalRngCollection.Name)]
public sealed class SharedTrainingOptionsTests
{
    [Fact]
    public void EveryTrainCommandOffersTheSharedOptionsItReadsUnderOneSpelling()
    {
        var train = CommandRegistry.All().Single(c => c.Name == "train");
        string[] everywhere = ["--data", "--seed", "--batch", "--lr", "--log-every", "--checkpoint-every", "--eval-n", "--final-eval-n",
            "--time-budget", "--tensorboard", "--name", "--runs", "--resume", "--quiet"];
        foreach (var command in train.Subcommands.Where(c => c.Name is "ddpm" or "ncsn" or "vdm" or "gan" or "vae"))
        {
            var names = command.Options.Select(o => o.Name).ToHashSet();
            Assert.All(everywhere, n => Assert.True(names.Contains(n), $"train {command.Name} lacks {n}"));
            Assert.True(names.Contains("--steps") ^ names.Contains("--epochs"), $"train {command.Name}: one length option");
        }
    }

    [Fact]
    public void TypedValuesOverrideTheDefaultsAndTheDefaultWarmupIsCappedAtATenthOfTheRun()
    {
        var options = new TrainingCliOptions(TrainingFields.StepBased, new ToyDdpmConfig().Training);
        var command = new RootCommand();
        options.AddTo(command);
        var d = new ToyDdpmConfig().Training;

        var read = options.Read(command.Parse("--steps 1000 --lr 0.01 --eval-n 300 --time-budget 2m"), d);
        Assert.Equal((1000L, 0.01, 300, 120.0), (read.Steps, read.Lr, read.EvalSamples, read.TimeBudgetSeconds));
        Assert.Equal(100, read.WarmupSteps);                              // min(200, 1000 / 10)
        Assert.Equal(d with { Steps = 1000, Lr = 0.01, EvalSamples = 300, TimeBudgetSeconds = 120, WarmupSteps = 100 }, read);

        Assert.Equal(150, options.Read(command.Parse("--steps 1000 --warmup 150"), d).WarmupSteps); // a typed warm-up is kept
        Assert.Equal(d, options.Read(command.Parse(""), d));
    }

    [Trait("Category", "Slow")]
    [Fact]
    public void ATimeBudgetStopsARunOnTimeAndItStillWritesItsEvaluationAndReport()
    {
        string runs = TestTemp.Directory("gensharp-budget").FullName;
        var r = CliRunner.Run(["train", "ddpm", "--runs", runs, "--name", "b", "--data", "toy:moons", "--steps", "1000000", "--lr-decay",
            "constant", "--time-budget", "4s", "--hidden", "16", "--layers", "2", "--timesteps", "50", "--eval-every", "0", "--sample-every",
            "1000000", "--log-every", "50", "--threads", "1", "--quiet"]);
        Assert.True(r.ExitCode == 0, r.Err);
        var run = RunDirectory.Open(Path.Combine(runs, "b"));
        var config = RunConfigFile.Read<ToyDdpmConfig>(run);
        Assert.Equal(4.0, config.Training.TimeBudgetSeconds);
        var wall = run.Metrics.Series("wall_time_s").Values;
        Assert.InRange(wall[^1], 4.0, 4.2);                               // within 5 % of the budget
        long last = (long)run.Metrics.Series("loss").Steps[^1];
        Assert.InRange(last, 10, 999_999);
        Assert.Equal(run.CheckpointPath(last), Checkpoint.FindLatest(run.CheckpointsDir));
        Assert.True(File.Exists(run.EvalPath));
        Assert.True(File.Exists(run.ReportPath));
    }
}
