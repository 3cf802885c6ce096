using System.CommandLine;
using GenSharp.Diffusion;
using GenSharp.Diffusion.Images;
using GenSharp.Diffusion.Samplers;
using GenSharp.Diffusion.Toy;
using GenSharp.Nn;
using GenSharp.Runtime;
using GenSharp.Training;

namespace GenSharp.Cli.Commands;

/// <summary>
/// <c>gensharp train ddpm</c>: a 2D DDPM on toy data (MLP noise predictor, exact metrics) or an image DDPM
/// (the reference U-Net, FD during training, DDPM/DDIM/DPM-Solver++ sampling), chosen by <c>--data</c>.
/// Options whose defaults differ between the two are shown as "toy / images".
/// </summary>
public static class TrainDdpmCommand
{
    public static Command Build()
    {
        var toy = new ToyDdpmConfig();
        var img = new ImageDdpmConfig();
        var common = new CommonOptions();
        var data = new Option<string>("--data")
        {
            Description = "Training data: toy:mog2|8gaussians|rings|moons|swissroll, toy:FILE.json (a Gaussian mixture), fashion-mnist[:DIR], DIR " +
                "(a folder holding the Fashion-MNIST IDX files) or png:DIR",
            DefaultValueFactory = _ => toy.Data
        };
        var name = new Option<string?>("--name") { Description = "Run name (folder under --runs); default ddpm-<data>" };
        var runs = new Option<string>("--runs") { Description = "Folder that holds run directories", DefaultValueFactory = _ => "runs" };
        var resume = new Option<bool>("--resume")
        {
            Description = "Continue the run's last checkpoint to its configured final step, or to a larger --steps (other settings come from its " +
                "config.json)"
        };
        var steps = new Option<long?>("--steps") { Description = $"Optimiser steps (default {toy.Steps} / {img.Steps})" };
        var batch = new Option<int?>("--batch") { Description = $"Batch size (default {toy.Batch} / {img.Batch})" };
        var lr = new Option<double?>("--lr") { Description = $"AdamW learning rate (default {toy.Lr:G3} / {img.Lr:G3})" };
        var warmup = new Option<long?>("--warmup")
        {
            Description = $"Linear learning-rate warm-up steps (default {toy.WarmupSteps} / {img.WarmupSteps}, at most a tenth of --steps)"
        };
        var lrDecay = new Option<string?>("--lr-decay") { Description = $"constant or cosine (default {toy.LrDecay} / {img.LrDecay})" };
        var schedule = new Option<string>("--schedule")
        {
            Description = "Beta schedule: linear (1e-4..0.02) or cosine",
            DefaultValueFactory = _ => toy.Schedule.Kind
        };
        var timesteps = new Option<int>("--timesteps") { Description = "Diffusion steps T", DefaultValueFactory = _ => toy.Schedule.Timesteps };
        var emaDecay = new Option<double?>("--ema-decay")
        {
            Description = $"EMA decay of the weights used for sampling (default {toy.EmaDecay} / {img.EmaDecay})"
        };
        var gradClip = new Option<double>("--grad-clip") { Description = "Gradient-norm clip (0 = off)", DefaultValueFactory = _ => toy.GradClip };
        var seed = new Option<long>("--seed") { Description = "Seed for initialisation, data order and noise", DefaultValueFactory = _ => 0 };
        var sampleEvery = new Option<int?>("--sample-every")
        {
            Description = $"Steps between sample figures (default {toy.SampleEvery} / {img.SampleEvery})"
        };
        var checkpointEvery = new Option<int>("--checkpoint-every")
        {
            Description = "Steps between checkpoints",
            DefaultValueFactory = _ => toy.CheckpointEvery
        };
        var logEvery = new Option<int>("--log-every")
        {
            Description = "Steps between metrics.jsonl records",
            DefaultValueFactory = _ => toy.LogEvery
        };
        var quiet = new Option<bool>("--quiet") { Description = "No progress bars" };
        var tensorBoard = new Option<bool>("--tensorboard") { Description = "Also write TensorBoard event files to RUN/tensorboard/" };
        // toy only
        var hidden = new Option<int?>("--hidden") { Description = $"[toy] MLP hidden width (default {toy.Network.Hidden})" };
        var layers = new Option<int?>("--layers") { Description = $"[toy] MLP residual blocks (default {toy.Network.Layers})" };
        // images only
        var ch = new Option<int?>("--ch") { Description = $"[images] U-Net base channels (default {img.Network.Channels})" };
        var mults = new Option<string?>("--mults")
        {
            Description = $"[images] channel multipliers per level, comma-separated (default {string.Join(",", img.Network.Multipliers)})"
        };
        var resBlocks = new Option<int?>("--res-blocks")
        {
            Description = $"[images] residual blocks per level (default {img.Network.ResBlocksPerLevel})"
        };
        var attn = new Option<string?>("--attn")
        {
            Description = "[images] resolutions with self-attention, comma-separated, or none (default " +
                $"{string.Join(",", img.Network.AttentionResolutions)})"
        };
        var dropout = new Option<double?>("--dropout") { Description = $"[images] dropout in residual blocks (default {img.Network.Dropout})" };
        var flip = new Option<bool>("--flip") { Description = "[images] random horizontal flips of training images" };
        var evalEvery = new Option<int?>("--eval-every")
        {
            Description = "Steps between metric evaluations during training (exact metrics on toys, FD on images), 0 = never (default: " +
                $"--sample-every / {img.EvalEvery})"
        };
        var evalN = new Option<int?>("--eval-n")
        {
            Description = $"Samples per metric evaluation during training (default {toy.CurveSamples} / {img.EvalSamples})"
        };
        var finalEvalN = new Option<int?>("--final-eval-n")
        {
            Description = $"[images] samples of the evaluation after training, 0 = skip (default {img.FinalEvalSamples})"
        };
        var sampler = new SamplerCliOptions(SamplerFlags.Training, tag: "[images] ");
        sampler.Name.Description = $"[images] sampler for grids and evaluations (default {img.Sampler.Name}): "
            + string.Join(", ", SamplerRegistry.All.Select(d => $"{d.Name} ({d.Summary})"));
        sampler.Variance.Description = $"Ancestral DDPM variance: beta or beta_tilde (default {toy.SamplerVariance}; images: with --sampler ddpm)";
        var precision = new Option<string?>("--precision")
        {
            Description = "[images] training arithmetic: fp32, or bf16 mixed precision (bfloat16 forward/backward, fp32 master weights; sampling " +
                $"stays fp32) (default {img.Precision})"
        };

        var command = new Command("ddpm", "Train a DDPM (docs/ddpm.md). On 2D toy data: an MLP noise predictor scored with exact metrics. On " +
            "images: the reference U-Net " +
            "(docs/unet.md) with EMA, sample grids and Fréchet distance during training, and the course's figures in report.html.\n\n" +
            "Examples:\n  gensharp train ddpm --data toy:mog2 --steps 6000\n  gensharp train ddpm --data toy:rings --schedule cosine --name rings\n" +
            "  gensharp train ddpm --data toy:mine.json --eval-every 500 --eval-n 5000 --name mine   (the mixture is copied into the run)\n" +
            "  gensharp train ddpm --data fashion-mnist --steps 20000 --batch 64 --threads 2\n" +
            "  gensharp train ddpm --data fashion-mnist --ch 16 --steps 2000 --eval-every 500 --name small\n" +
            "  gensharp train ddpm --data fashion-mnist --precision bf16 --name small-bf16\n  gensharp train ddpm --name small --resume\n" +
            "  gensharp train ddpm --name small --resume --steps 4000   (train a constant-rate run further)");
        var toyOnly = new Option[] { hidden, layers };
        var imageOnly = new Option[] { ch, mults, resBlocks, attn, dropout, flip, precision, finalEvalN, sampler.Name, sampler.Steps, sampler.Eta,
            sampler.Spacing };
        foreach (var o in new Option[] { data, name, runs, resume, steps, batch, lr, warmup, lrDecay, schedule, timesteps, emaDecay, gradClip,
                     sampler.Variance, seed, sampleEvery, evalEvery, evalN, checkpointEvery, logEvery, quiet, tensorBoard }
                     .Concat(toyOnly).Concat(imageOnly))
            command.Options.Add(o);
        common.AddTo(command);
        var conditionOptions = new ConditionCliOptions();
        conditionOptions.AddTo(command);
        command.SetAction(parse =>
        {
            var device = TorchRuntime.Initialize(common.Read(parse));
            string dataSpec = parse.GetValue(data)!;
            string runName = parse.GetValue(name) ?? "ddpm-" + RunNames.FromData(dataSpec);
            string root = RunName.Under(parse.GetValue(runs)!, runName);
            bool isQuiet = parse.GetValue(quiet);
            var output = parse.InvocationConfiguration.Output;

            string kind;
            RunDirectory run;
            if (parse.GetValue(resume))
            {
                run = RunDirectory.OpenForTraining(root);
                kind = RunConfigFile.ReadKind(run);
                if (parse.GetValue(steps) is long extendTo)
                {
                    long before = RunExtension.ExtendSteps(run, extendTo);
                    if (before != extendTo) output.WriteLine($"extending {run.Root} from {before} to {extendTo} steps");
                }
            }
            else
            {
                bool isToy = dataSpec.StartsWith("toy:", StringComparison.Ordinal);
                kind = isToy ? ToyDdpmConfig.Kind : ImageDdpmConfig.Kind;
                var wrong = (isToy ? imageOnly : toyOnly).FirstOrDefault(o => parse.GetResult(o) is { Implicit: false });
                if (wrong is not null)
                    throw new ConfigException($"{wrong.Name} applies to {(isToy ? "image" : "toy")} data only, and --data is {dataSpec}");
                long stepCount = parse.GetValue(steps) ?? (isToy ? toy.Steps : img.Steps);
                long defaultWarmup = Math.Min(isToy ? toy.WarmupSteps : img.WarmupSteps, stepCount / 10);
                var scheduleConfig = (toy.Schedule with { Kind = parse.GetValue(schedule)!, Timesteps = parse.GetValue(timesteps) }).Validate();
                object config;
                if (isToy)
                {
                    config = ToyDdpmRecipe.Resolve(toy with
                    {
                        Data = dataSpec,
                        Seed = parse.GetValue(seed),
                        Steps = stepCount,
                        Batch = parse.GetValue(batch) ?? toy.Batch,
                        Lr = parse.GetValue(lr) ?? toy.Lr,
                        WarmupSteps = parse.GetValue(warmup) ?? defaultWarmup,
                        LrDecay = parse.GetValue(lrDecay) ?? toy.LrDecay,
                        EmaDecay = parse.GetValue(emaDecay) ?? toy.EmaDecay,
                        GradClip = parse.GetValue(gradClip),
                        SamplerVariance = parse.GetValue(sampler.Variance) ?? toy.SamplerVariance,
                        SampleEvery = parse.GetValue(sampleEvery) ?? toy.SampleEvery,
                        EvalEvery = parse.GetValue(evalEvery) ?? parse.GetValue(sampleEvery) ?? toy.SampleEvery,
                        CurveSamples = parse.GetValue(evalN) ?? toy.CurveSamples,
                        CheckpointEvery = parse.GetValue(checkpointEvery),
                        LogEvery = parse.GetValue(logEvery),
                        TensorBoard = parse.GetValue(tensorBoard),
                        Schedule = scheduleConfig,
                        Conditioning = conditionOptions.Read(parse, isToy: true),
                        Network = toy.Network with
                        {
                            Hidden = parse.GetValue(hidden) ?? toy.Network.Hidden,
                            Layers = parse.GetValue(layers) ?? toy.Network.Layers
                        },
                    }, device);
                }
                else
                {
                    var c = img with
                    {
                        Data = dataSpec,
                        Seed = parse.GetValue(seed),
                        Steps = stepCount,
                        Batch = parse.GetValue(batch) ?? img.Batch,
                        Lr = parse.GetValue(lr) ?? img.Lr,
                        WarmupSteps = parse.GetValue(warmup) ?? defaultWarmup,
                        LrDecay = parse.GetValue(lrDecay) ?? img.LrDecay,
                        EmaDecay = parse.GetValue(emaDecay) ?? img.EmaDecay,
                        GradClip = parse.GetValue(gradClip),
                        Precision = parse.GetValue(precision) ?? img.Precision,
                        Flip = parse.GetValue(flip),
                        SampleEvery = parse.GetValue(sampleEvery) ?? img.SampleEvery,
                        EvalEvery = parse.GetValue(evalEvery) ?? img.EvalEvery,
                        EvalSamples = parse.GetValue(evalN) ?? img.EvalSamples,
                        FinalEvalSamples = parse.GetValue(finalEvalN) ?? img.FinalEvalSamples,
                        CheckpointEvery = parse.GetValue(checkpointEvery),
                        LogEvery = parse.GetValue(logEvery),
                        TensorBoard = parse.GetValue(tensorBoard),
                        Schedule = scheduleConfig,
                        Conditioning = conditionOptions.Read(parse, isToy: false),
                        Network = img.Network with
                        {
                            Channels = parse.GetValue(ch) ?? img.Network.Channels,
                            Multipliers = ParseInts(parse.GetValue(mults), "--mults") ?? img.Network.Multipliers,
                            ResBlocksPerLevel = parse.GetValue(resBlocks) ?? img.Network.ResBlocksPerLevel,
                            AttentionResolutions = ParseInts(parse.GetValue(attn), "--attn") ?? img.Network.AttentionResolutions,
                            Dropout = parse.GetValue(dropout) ?? img.Network.Dropout,
                        },
                        // the typed sampler options on the default sampler, checked against T with the flags as typed
                        Sampler = sampler.Check(parse, sampler.Read(parse, img.Sampler, scheduleConfig.Timesteps)!, scheduleConfig),
                    };
                    config = ImageDdpmRecipe.Resolve(c, device);
                }
                var lrSchedule = config is ToyDdpmConfig t
                    ? new LearningRateSchedule(t.Lr, t.Steps, t.WarmupSteps, t.LrDecay)
                    : new LearningRateSchedule(
                        ((ImageDdpmConfig)config).Lr,
                        stepCount,
                        ((ImageDdpmConfig)config).WarmupSteps,
                        ((ImageDdpmConfig)config).LrDecay);
                lrSchedule.Validate();
                new TrainerConfig(
                    stepCount,
                    parse.GetValue(batch) ?? (isToy ? toy.Batch : img.Batch),
                    parse.GetValue(gradClip),
                    parse.GetValue(logEvery),
                    parse.GetValue(checkpointEvery)).Validate();
                run = RunDirectory.Create(root);
                if (config is ToyDdpmConfig toyConfig) config = ToyDdpmRecipe.CopyMixtureInto(toyConfig, run);
                RunConfigFile.Write(run, config);
            }

            EvalOutcome? outcome;
            if (kind == ToyDdpmConfig.Kind)
                outcome = ToyDdpmRecipe.Train(RunConfigFile.Read<ToyDdpmConfig>(run).Validate(), run, device, parse.GetValue(resume), isQuiet);
            else if (kind == ImageDdpmConfig.Kind)
                outcome = ImageDdpmRecipe.Train(RunConfigFile.Read<ImageDdpmConfig>(run).Validate(), run, device, parse.GetValue(resume), isQuiet);
            else
                throw new ConfigException($"{run.ConfigPath}: model '{kind}' is not a DDPM; resume it with its own train command");
            output.WriteLine($"run:    {run.Root}");
            output.WriteLine($"report: {run.ReportPath}");
            if (outcome is not null) EvalCommand.PrintMetrics(output, outcome);
            return 0;
        });
        return command;
    }

    /// <summary>"1,2,2" -> [1, 2, 2]; "none" -> []; null -> null.</summary>
    internal static int[]? ParseInts(string? text, string flag)
    {
        if (text is null) return null;
        if (text.Trim() is "none" or "") return [];
        try
        {
            return text.Split(',').Select(s => int.Parse(s.Trim(), System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new ConfigException($"{flag} {text}: expected comma-separated integers, e.g. 1,2,2");
        }
    }
}
