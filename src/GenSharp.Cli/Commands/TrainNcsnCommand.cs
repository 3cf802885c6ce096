using System.CommandLine;
using GenSharp.Runtime;
using GenSharp.Score.Images;
using GenSharp.Training;

namespace GenSharp.Cli.Commands;

/// <summary>
/// <c>gensharp train ncsn</c>: NCSNv2 on images (docs/score-models.md#ncsn-images): the reference U-Net as a noise-conditional score network,
/// denoising score matching over geometric noise levels chosen by NCSNv2's techniques, annealed Langevin sampling.
/// </summary>
public static class TrainNcsnCommand
{
    public static Command Build()
    {
        var d = new ImageNcsnConfig();
        var common = new CommonOptions();
        var objective = new ScoreObjectiveCliOptions();
        var data = new Option<string>("--data")
        {
            Description = "Training images: fashion-mnist[:DIR], DIR (a folder holding the Fashion-MNIST IDX files) or png:DIR (pixels scaled to " +
                "[0, 1])",
            DefaultValueFactory = _ => d.Data
        };
        var name = new Option<string?>("--name") { Description = "Run name (folder under --runs); default ncsn-<data>" };
        var runs = new Option<string>("--runs") { Description = "Folder that holds run directories", DefaultValueFactory = _ => "runs" };
        var resume = new Option<bool>("--resume")
        {
            Description = "Continue the run's last checkpoint to its configured final step, or to a larger --steps (other settings come from its " +
                "config.json)"
        };
        var steps = new Option<long?>("--steps") { Description = $"Optimiser steps (default {d.Steps})" };
        var batch = new Option<int>("--batch") { Description = "Batch size", DefaultValueFactory = _ => d.Batch };
        var lr = new Option<double>("--lr") { Description = "AdamW learning rate (NCSNv2: 1e-4)", DefaultValueFactory = _ => d.Lr };
        var warmup = new Option<long>("--warmup") { Description = "Linear learning-rate warm-up steps", DefaultValueFactory = _ => d.WarmupSteps };
        var lrDecay = new Option<string>("--lr-decay") { Description = "constant or cosine", DefaultValueFactory = _ => d.LrDecay };
        var emaDecay = new Option<double>("--ema-decay")
        {
            Description = "EMA decay of the weights used for sampling (technique 5)",
            DefaultValueFactory = _ => d.EmaDecay
        };
        var gradClip = new Option<double>("--grad-clip") { Description = "Gradient-norm clip (0 = off)", DefaultValueFactory = _ => d.GradClip };
        var seed = new Option<long>("--seed")
        {
            Description = "Seed for initialisation, data order, noise levels and noise",
            DefaultValueFactory = _ => 0
        };
        var trainLimit = new Option<int>("--train-limit")
        {
            Description = "Use only the first N training images (0 = all)",
            DefaultValueFactory = _ => 0
        };
        var ch = new Option<int>("--ch") { Description = "U-Net base channels", DefaultValueFactory = _ => d.Network.Channels };
        var mults = new Option<string?>("--mults")
        {
            Description = $"U-Net channel multipliers per level, comma-separated (default {string.Join(",", d.Network.Multipliers)})"
        };
        var resBlocks = new Option<int>("--res-blocks")
        {
            Description = "U-Net residual blocks per level",
            DefaultValueFactory = _ => d.Network.ResBlocksPerLevel
        };
        var attn = new Option<string?>("--attn")
        {
            Description = $"Resolutions with self-attention, comma-separated, or none (default {string.Join(",", d.Network.AttentionResolutions)})"
        };
        var dropout = new Option<double>("--dropout") { Description = "Dropout in residual blocks", DefaultValueFactory = _ => d.Network.Dropout };
        var flip = new Option<bool>("--flip") { Description = "Random horizontal flips of training images" };
        var sigma1 = new Option<double?>("--sigma1")
        {
            Description = "Largest noise level (default: technique 1, the largest pairwise distance of up to --sigma1-images random training images)"
        };
        var sigma1Images = new Option<int>("--sigma1-images")
        {
            Description = "Training images used to measure sigma1 (exact up to ~5,000, a double-sweep lower bound above)",
            DefaultValueFactory = _ => d.Noise.Sigma1Images
        };
        var sigmaL = new Option<double>("--sigmaL")
        {
            Description = "Smallest noise level (NCSNv2: 0.01 for pixels in [0, 1])",
            DefaultValueFactory = _ => d.Noise.SigmaL
        };
        var levels = new Option<int?>("--levels")
        {
            Description = "Number of noise levels L (default: technique 2, gamma from the overlap equation for D = C*H*W)"
        };
        var stepsPerLevel = new Option<int>("--T")
        {
            Description = "Annealed-Langevin steps per level for grids and evaluations",
            DefaultValueFactory = _ => d.Sampling.StepsPerLevel
        };
        var eps = new Option<double?>("--eps")
        {
            Description = "Langevin step-size scale, alpha_i = eps sigma_i^2 / sigma_L^2 (default: technique 4, variance ratio closest to 1 for T)"
        };
        var levelsUsed = new Option<int?>("--levels-used")
        {
            Description = "Anneal through this many of the L levels, evenly spaced (default all; fewer = a cheaper sampler)"
        };
        var noDenoise = new Option<bool>("--no-denoise") { Description = "Skip the final denoising step x + sigma_L^2 s(x, sigma_L)" };
        var sampleEvery = new Option<int>("--sample-every") { Description = "Steps between sample grids", DefaultValueFactory = _ => d.SampleEvery };
        var evalEvery = new Option<int>("--eval-every")
        {
            Description = "Steps between FD evaluations during training, 0 = never",
            DefaultValueFactory = _ => d.EvalEvery
        };
        var evalN = new Option<int>("--eval-n")
        {
            Description = "Samples per FD evaluation during training",
            DefaultValueFactory = _ => d.EvalSamples
        };
        var finalEvalN = new Option<int>("--final-eval-n")
        {
            Description = "Samples of the evaluation after training, 0 = skip",
            DefaultValueFactory = _ => d.FinalEvalSamples
        };
        var checkpointEvery = new Option<int>("--checkpoint-every")
        {
            Description = "Steps between checkpoints",
            DefaultValueFactory = _ => d.CheckpointEvery
        };
        var logEvery = new Option<int>("--log-every") { Description = "Steps between metrics.jsonl records", DefaultValueFactory = _ => d.LogEvery };
        var quiet = new Option<bool>("--quiet") { Description = "No progress bars" };
        var tensorBoard = new Option<bool>("--tensorboard") { Description = "Also write TensorBoard event files to RUN/tensorboard/" };

        var command = new Command("ncsn", "Train an NCSNv2 score model on images (docs/score-models.md#ncsn-images): the reference U-Net as " +
            "s(x, sigma) = u(x, 250 ln sigma) / sigma, denoising " +
            "score matching (weight sigma^2) over geometric noise levels from NCSNv2's techniques (sigma1 from the data, gamma for D, eps for T), " +
            "EMA, annealed Langevin sampling with final denoising; sample grids and Fréchet distance during training, figures in report.html.\n\n" +
            "Examples:\n  gensharp train ncsn --data fashion-mnist --steps 20000 --threads 2\n" +
            "  gensharp train ncsn --data fashion-mnist --ch 16 --steps 2000 --eval-every 500 --T 3 --name small\n" +
            "  gensharp train ncsn --name small --resume\n  gensharp sample runs/small --n 64 --T 5 --levels-used 50");
        foreach (var o in new Option[]
                 {
                     data, name, runs, resume, steps, batch, lr, warmup, lrDecay, emaDecay, gradClip, seed, trainLimit, ch, mults, resBlocks, attn,
                     dropout, flip, sigma1, sigma1Images, sigmaL, levels, stepsPerLevel, eps, levelsUsed, noDenoise, sampleEvery, evalEvery, evalN,
                     finalEvalN, checkpointEvery, logEvery, quiet, tensorBoard
                 })
            command.Options.Add(o);
        objective.AddTo(command);
        common.AddTo(command);
        command.SetAction(parse =>
        {
            var device = TorchRuntime.Initialize(common.Read(parse));
            string dataSpec = parse.GetValue(data)!;
            string root = RunName.Under(parse.GetValue(runs)!, parse.GetValue(name) ?? "ncsn-" + RunNames.FromData(dataSpec));
            bool isQuiet = parse.GetValue(quiet);
            var output = parse.InvocationConfiguration.Output;
            RunDirectory run;
            if (parse.GetValue(resume))
            {
                run = RunDirectory.OpenForTraining(root);
                string kind = RunConfigFile.ReadKind(run);
                if (kind != ImageNcsnConfig.Kind)
                    throw new ConfigException($"{run.ConfigPath}: model '{kind}' is not an NCSN; resume it with its own train command");
                if (parse.GetValue(steps) is long extendTo)
                {
                    long before = RunExtension.ExtendSteps(run, extendTo);
                    if (before != extendTo) output.WriteLine($"extending {run.Root} from {before} to {extendTo} steps");
                }
            }
            else
            {
                var config = d with
                {
                    Data = dataSpec,
                    TrainLimit = parse.GetValue(trainLimit),
                    Seed = parse.GetValue(seed),
                    Steps = parse.GetValue(steps) ?? d.Steps,
                    Batch = parse.GetValue(batch),
                    Lr = parse.GetValue(lr),
                    WarmupSteps = parse.GetValue(warmup),
                    LrDecay = parse.GetValue(lrDecay)!,
                    EmaDecay = parse.GetValue(emaDecay),
                    GradClip = parse.GetValue(gradClip),
                    Flip = parse.GetValue(flip),
                    SampleEvery = parse.GetValue(sampleEvery),
                    EvalEvery = parse.GetValue(evalEvery),
                    EvalSamples = parse.GetValue(evalN),
                    FinalEvalSamples = parse.GetValue(finalEvalN),
                    CheckpointEvery = parse.GetValue(checkpointEvery),
                    LogEvery = parse.GetValue(logEvery),
                    TensorBoard = parse.GetValue(tensorBoard),
                    Objective = objective.Read(parse),
                    Noise = d.Noise with
                    {
                        Sigma1 = parse.GetValue(sigma1),
                        Sigma1Images = parse.GetValue(sigma1Images),
                        SigmaL = parse.GetValue(sigmaL),
                        Levels = parse.GetValue(levels),
                    },
                    Sampling = d.Sampling with
                    {
                        StepsPerLevel = parse.GetValue(stepsPerLevel),
                        Eps = parse.GetValue(eps),
                        LevelsUsed = parse.GetValue(levelsUsed),
                        FinalDenoise = !parse.GetValue(noDenoise),
                    },
                    Network = d.Network with
                    {
                        Channels = parse.GetValue(ch),
                        Multipliers = TrainDdpmCommand.ParseInts(parse.GetValue(mults), "--mults") ?? d.Network.Multipliers,
                        ResBlocksPerLevel = parse.GetValue(resBlocks),
                        AttentionResolutions = TrainDdpmCommand.ParseInts(parse.GetValue(attn), "--attn") ?? d.Network.AttentionResolutions,
                        Dropout = parse.GetValue(dropout),
                    },
                };
                // everything that can be checked without data is checked before the data are read
                config.Validate();
                new LearningRateSchedule(config.Lr, config.Steps, config.WarmupSteps, config.LrDecay).Validate();
                new TrainerConfig(config.Steps, config.Batch, config.GradClip, config.LogEvery, config.CheckpointEvery).Validate();
                config = ImageNcsnRecipe.Resolve(config, device);
                run = RunDirectory.Create(root);
                RunConfigFile.Write(run, config);
            }
            var outcome = ImageNcsnRecipe.Train(RunConfigFile.Read<ImageNcsnConfig>(run).Validate(), run, device, parse.GetValue(resume), isQuiet,
                parse.InvocationConfiguration.Error);
            output.WriteLine($"run:    {run.Root}");
            output.WriteLine($"report: {run.ReportPath}");
            if (outcome is not null) EvalCommand.PrintMetrics(output, outcome);
            return 0;
        });
        return command;
    }
}
