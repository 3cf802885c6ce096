using System.CommandLine;
using GenSharp.Diffusion;
using GenSharp.Diffusion.Toy;
using GenSharp.Nn;
using GenSharp.Runtime;
using GenSharp.Training;

namespace GenSharp.Cli.Commands;

/// <summary><c>gensharp train &lt;family&gt;</c>: one sub-command per model family.</summary>
public static class TrainCommand
{
    public static Command Build()
    {
        var command = new Command("train", "Train a model; writes runs/NAME/ (config.json, metrics.jsonl, checkpoints/, samples/, plots/, report.html).\n\n" +
            "Examples:\n  gensharp train ddpm --data toy:mog2\n  gensharp train ddpm --data toy:my-mixture.json --steps 8000 --name mine\n  gensharp train ddpm --name mine --resume");
        command.Subcommands.Add(BuildDdpm());
        command.Subcommands.Add(TrainGanCommand.Build());
        command.Subcommands.Add(TrainVaeCommand.Build());
        return command;
    }

    private static Command BuildDdpm()
    {
        var d = new ToyDdpmConfig();
        var common = new CommonOptions();
        var data = new Option<string>("--data") { Description = "Training data: toy:mog2|8gaussians|rings|moons|swissroll or toy:FILE.json (a Gaussian mixture)", DefaultValueFactory = _ => d.Data };
        var name = new Option<string?>("--name") { Description = "Run name (folder under --runs); default ddpm-<data>" };
        var runs = new Option<string>("--runs") { Description = "Folder that holds run directories", DefaultValueFactory = _ => "runs" };
        var resume = new Option<bool>("--resume") { Description = "Continue the run's last checkpoint to its configured final step (other settings come from its config.json)" };
        var steps = new Option<long>("--steps") { Description = "Optimiser steps", DefaultValueFactory = _ => d.Steps };
        var batch = new Option<int>("--batch") { Description = "Batch size", DefaultValueFactory = _ => d.Batch };
        var lr = new Option<double>("--lr") { Description = "AdamW learning rate", DefaultValueFactory = _ => d.Lr };
        var warmup = new Option<long?>("--warmup") { Description = $"Linear learning-rate warm-up steps (default: {d.WarmupSteps}, at most a tenth of --steps)" };
        var lrDecay = new Option<string>("--lr-decay") { Description = "constant or cosine", DefaultValueFactory = _ => d.LrDecay };
        var schedule = new Option<string>("--schedule") { Description = "Beta schedule: linear (1e-4..0.02) or cosine", DefaultValueFactory = _ => d.Schedule.Kind };
        var timesteps = new Option<int>("--timesteps") { Description = "Diffusion steps T", DefaultValueFactory = _ => d.Schedule.Timesteps };
        var emaDecay = new Option<double>("--ema-decay") { Description = "EMA decay of the weights used for sampling", DefaultValueFactory = _ => d.EmaDecay };
        var gradClip = new Option<double>("--grad-clip") { Description = "Gradient-norm clip (0 = off)", DefaultValueFactory = _ => d.GradClip };
        var hidden = new Option<int>("--hidden") { Description = "MLP hidden width", DefaultValueFactory = _ => d.Network.Hidden };
        var layers = new Option<int>("--layers") { Description = "MLP residual blocks", DefaultValueFactory = _ => d.Network.Layers };
        var variance = new Option<string>("--sampler-variance") { Description = "Ancestral sampling variance: beta or beta_tilde", DefaultValueFactory = _ => d.SamplerVariance };
        var seed = new Option<long>("--seed") { Description = "Seed for initialisation, data and noise", DefaultValueFactory = _ => d.Seed };
        var sampleEvery = new Option<int>("--sample-every") { Description = "Steps between sample figures", DefaultValueFactory = _ => d.SampleEvery };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Steps between checkpoints", DefaultValueFactory = _ => d.CheckpointEvery };
        var logEvery = new Option<int>("--log-every") { Description = "Steps between metrics.jsonl records", DefaultValueFactory = _ => d.LogEvery };
        var quiet = new Option<bool>("--quiet") { Description = "No progress bars" };
        var tensorBoard = new Option<bool>("--tensorboard") { Description = "Also write TensorBoard event files to RUN/tensorboard/" };

        var command = new Command("ddpm", "Train a DDPM (SPEC §2): on 2D toy data an MLP noise predictor with L_simple, EMA and ancestral sampling, scored with exact metrics.\n\n" +
            "Examples:\n  gensharp train ddpm --data toy:mog2 --steps 6000\n  gensharp train ddpm --data toy:rings --schedule cosine --name rings\n  gensharp train ddpm --name rings --resume");
        foreach (var o in new Option[] { data, name, runs, resume, steps, batch, lr, warmup, lrDecay, schedule, timesteps, emaDecay, gradClip, hidden, layers, variance, seed, sampleEvery, checkpointEvery, logEvery, quiet, tensorBoard })
            command.Options.Add(o);
        common.AddTo(command);
        command.SetAction(parse =>
        {
            var device = TorchRuntime.Initialize(common.Read(parse));
            string dataSpec = parse.GetValue(data)!;
            string runName = parse.GetValue(name) ?? "ddpm-" + RunNames.FromData(dataSpec);
            string root = Path.Combine(parse.GetValue(runs)!, runName);
            bool isQuiet = parse.GetValue(quiet);
            RunDirectory run;
            ToyDdpmConfig config;
            if (parse.GetValue(resume))
            {
                run = RunDirectory.Open(root);
                config = RunConfigFile.Read<ToyDdpmConfig>(run).Validate();
            }
            else
            {
                if (!dataSpec.StartsWith("toy:", StringComparison.Ordinal))
                    throw new ConfigException($"--data {dataSpec}: this build trains DDPMs on 2D toy data (toy:NAME or toy:FILE.json); image DDPM (--data fashion-mnist) is not implemented yet");
                config = d with
                {
                    Data = dataSpec,
                    Seed = parse.GetValue(seed),
                    Steps = parse.GetValue(steps),
                    Batch = parse.GetValue(batch),
                    Lr = parse.GetValue(lr),
                    WarmupSteps = parse.GetValue(warmup) ?? Math.Min(d.WarmupSteps, parse.GetValue(steps) / 10),
                    LrDecay = parse.GetValue(lrDecay)!,
                    EmaDecay = parse.GetValue(emaDecay),
                    GradClip = parse.GetValue(gradClip),
                    SamplerVariance = parse.GetValue(variance)!,
                    SampleEvery = parse.GetValue(sampleEvery),
                    CheckpointEvery = parse.GetValue(checkpointEvery),
                    LogEvery = parse.GetValue(logEvery),
                    TensorBoard = parse.GetValue(tensorBoard),
                    Schedule = d.Schedule with { Kind = parse.GetValue(schedule)!, Timesteps = parse.GetValue(timesteps) },
                    Network = d.Network with { Hidden = parse.GetValue(hidden), Layers = parse.GetValue(layers) },
                };
                new LearningRateSchedule(config.Lr, config.Steps, config.WarmupSteps, config.LrDecay).Validate();
                new TrainerConfig(config.Steps, config.Batch, config.GradClip, config.LogEvery, config.CheckpointEvery).Validate();
                config = ToyDdpmRecipe.Resolve(config, device);
                run = RunDirectory.Create(root);
                RunConfigFile.Write(run, config);
            }
            var outcome = ToyDdpmRecipe.Train(config, run, device, parse.GetValue(resume), isQuiet);
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine($"run:    {run.Root}");
            output.WriteLine($"report: {run.ReportPath}");
            EvalCommand.PrintMetrics(output, outcome);
            return 0;
        });
        return command;
    }
}
