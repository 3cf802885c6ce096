using System.CommandLine;
using GenSharp.Diffusion;
using GenSharp.Diffusion.Conditioning;
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
        var runOptions = new RunCliOptions("ddpm-<data>");
        var training = new TrainingCliOptions(TrainingFields.StepBased, toy.Training, img.Training);
        training.Data.Description = "Training data: toy:mog2|8gaussians|rings|moons|swissroll, toy:FILE.json (a Gaussian mixture), " +
            "fashion-mnist[:DIR], DIR (a folder holding the Fashion-MNIST IDX files), captcha[:OPTIONS] (docs/captcha.md) or png:DIR " +
            "(default toy:mog2; docs/data.md)";
        training.EvalEvery.Description = "Steps between metric evaluations during training (exact metrics on toys, FD on images), 0 = never " +
            $"(default: --sample-every / {img.Training.EvalEvery})";
        var schedule = new Option<string>("--schedule")
        {
            Description = "Beta schedule: linear (1e-4..0.02) or cosine",
            DefaultValueFactory = _ => toy.Schedule.Kind
        };
        var timesteps = new Option<int>("--timesteps") { Description = "Diffusion steps T", DefaultValueFactory = _ => toy.Schedule.Timesteps };
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
            Description = "[images] resolutions (feature-map heights) with self-attention, comma-separated, or none (default: the lowest " +
                $"level, {string.Join(",", img.Network.AttentionResolutions)} on 28x28, 8 on 32x96 CAPTCHAs)"
        };
        var crossAttn = new Option<string?>("--cross-attn")
        {
            Description = "[--condition text] feature-map heights with cross-attention to the text tokens, comma-separated " +
                "(default: the lowest two levels, 16,8 on 32x96 CAPTCHAs; docs/captcha.md#cross-attention-levels)"
        };
        var dropout = new Option<double?>("--dropout") { Description = $"[images] dropout in residual blocks (default {img.Network.Dropout})" };
        var flip = new Option<bool>("--flip") { Description = "[images] random horizontal flips of training images" };
        var sampler = new SamplerCliOptions(SamplerFlags.Training, tag: "[images] ");
        var schedulerConfig = new SchedulerConfigOption();
        sampler.Name.Description = $"[images] sampler for grids and evaluations (default {img.Sampler.Name}): "
            + string.Join(", ", SamplerRegistry.All.Select(d => $"{d.Name} ({d.Summary})"));
        sampler.Variance.Description = $"Ancestral DDPM variance: beta or beta_tilde (default {toy.SamplerVariance}; images: with --sampler ddpm)";
        var precision = new Option<string?>("--precision")
        {
            Description = "[images] training arithmetic: fp32, or bf16 mixed precision (bfloat16 forward/backward, fp32 master weights; sampling " +
                $"stays fp32) (default {img.Precision})"
        };

        var prediction = new Option<string?>("--prediction")
        {
            Description = "What the network predicts: epsilon (the noise), v = alpha_t eps - sigma_t x_0 (Salimans & Ho 2022), or edm: " +
                "EDM's preconditioned denoiser trained on its log-normal noise levels (Karras et al. 2022); every sampler converts the " +
                "prediction to eps (default epsilon; docs/ddpm.md#objective)"
        };
        var lossWeighting = new Option<string?>("--loss-weighting")
        {
            Description = "Loss weighting over timesteps: none, or min-snr:GAMMA (Hang et al. 2023; GAMMA 5 in the paper) (default none)"
        };

        var command = new Command("ddpm", "Train a DDPM (docs/ddpm.md). On 2D toy data: an MLP noise predictor scored with exact metrics. On " +
            "images: the reference U-Net " +
            "(docs/unet.md) with EMA, sample grids and Fréchet distance during training, and the course's figures in report.html.\n\n" +
            "Examples:\n  gensharp train ddpm --data toy:mog2 --steps 6000\n" +
            "  gensharp train ddpm --data toy:rings --schedule cosine --name rings\n" +
            "  gensharp train ddpm --data toy:mine.json --eval-every 500 --eval-n 5000 --name mine   (the mixture is copied into the run)\n" +
            "  gensharp train ddpm --data fashion-mnist --steps 20000 --batch 64 --threads 2\n" +
            "  gensharp train ddpm --data fashion-mnist --ch 16 --steps 2000 --eval-every 500 --name small\n" +
            "  gensharp train ddpm --data fashion-mnist --precision bf16 --name small-bf16\n  gensharp train ddpm --name small --resume\n" +
            "  gensharp train ddpm --data fashion-mnist --prediction v --loss-weighting min-snr:5 --name v-minsnr\n" +
            "  gensharp train ddpm --data fashion-mnist --prediction edm --name edm\n" +
            "  gensharp train ddpm --name small --resume --steps 4000   (train a constant-rate run further)");
        var toyOnly = new Option[] { hidden, layers };
        var evalSamplers = new EvalSamplersCliOption();
        var imageOnly = new Option[] { ch, mults, resBlocks, attn, crossAttn, dropout, flip, precision, sampler.Name, sampler.Steps, sampler.Eta,
            sampler.Spacing, schedulerConfig.File, evalSamplers.EvalSamplers };
        runOptions.AddTo(command);
        training.AddTo(command);
        foreach (var o in new Option[] { schedule, timesteps, sampler.Variance, prediction, lossWeighting }.Concat(toyOnly).Concat(imageOnly))
            command.Options.Add(o);
        common.AddTo(command);
        var conditionOptions = new ConditionCliOptions();
        conditionOptions.AddTo(command);
        command.SetAction(parse =>
        {
            var device = TorchRuntime.Initialize(common.Read(parse));
            string dataSpec = parse.GetValue(training.Data) ?? toy.Training.Data;
            string root = runOptions.Root(parse, "ddpm-" + RunNames.FromData(dataSpec));
            bool resume = parse.GetValue(runOptions.Resume);
            var output = parse.InvocationConfiguration.Output;

            string kind;
            RunDirectory run;
            if (resume)
            {
                schedulerConfig.Read(parse, output, runOptions.Resume); // refused: a resumed run keeps its schedule
                var objectiveFlag = new Option[] { prediction, lossWeighting }.FirstOrDefault(o => TrainingCliOptions.Typed(parse, o));
                if (objectiveFlag is not null)
                    throw new ConfigException($"{objectiveFlag.Name} with --resume: a resumed run keeps the objective in its config.json; drop " +
                        $"{objectiveFlag.Name}, or start a new run with --name");
                (run, kind) = RunCliOptions.OpenForResume(root, "a DDPM", parse.GetValue(training.Steps), output, ToyDdpmConfig.Kind,
                    ImageDdpmConfig.Kind);
            }
            else
            {
                bool isToy = dataSpec.StartsWith("toy:", StringComparison.Ordinal);
                kind = isToy ? ToyDdpmConfig.Kind : ImageDdpmConfig.Kind;
                var wrong = (isToy ? imageOnly : toyOnly).FirstOrDefault(o => TrainingCliOptions.Typed(parse, o));
                if (wrong is not null)
                    throw new ConfigException($"{wrong.Name} applies to {(isToy ? "image" : "toy")} data only, and --data is {dataSpec}");
                var imported = schedulerConfig.Read(parse, output, schedule, timesteps); // a diffusers scheduler_config.json, if given
                var scheduleConfig = imported?.Schedule
                    ?? (toy.Schedule with { Kind = parse.GetValue(schedule)!, Timesteps = parse.GetValue(timesteps) }).Validate();
                var objective = new DdpmObjective(parse.GetValue(prediction) ?? imported?.Prediction ?? DdpmObjective.Epsilon,
                    parse.GetValue(lossWeighting) ?? DdpmObjective.Unweighted).Validate();
                object config;
                if (isToy)
                {
                    var shared = training.Read(parse, toy.Training with { Data = dataSpec });
                    // on toys the metric curve follows the sample grids unless --eval-every is given
                    if (!TrainingCliOptions.Typed(parse, training.EvalEvery)) shared = shared with { EvalEvery = shared.SampleEvery };
                    config = ToyDdpmRecipe.Resolve(toy with
                    {
                        Training = shared,
                        SamplerVariance = parse.GetValue(sampler.Variance) ?? toy.SamplerVariance,
                        Schedule = scheduleConfig,
                        Objective = objective,
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
                    bool text = parse.GetValue(conditionOptions.Condition) == ConditioningConfig.Text;
                    config = ImageDdpmRecipe.Resolve(img with
                    {
                        Training = training.Read(parse, img.Training with { Data = dataSpec }),
                        Precision = parse.GetValue(precision) ?? img.Precision,
                        Flip = parse.GetValue(flip),
                        Schedule = scheduleConfig,
                        Objective = objective,
                        Conditioning = conditionOptions.Read(parse, isToy: false),
                        Network = SizedFor(dataSpec, img.Network, text) with
                        {
                            Channels = parse.GetValue(ch) ?? img.Network.Channels,
                            Multipliers = ParseInts(parse.GetValue(mults), "--mults") ?? img.Network.Multipliers,
                            ResBlocksPerLevel = parse.GetValue(resBlocks) ?? img.Network.ResBlocksPerLevel,
                            AttentionResolutions = ParseInts(parse.GetValue(attn), "--attn") ?? DefaultAttention(dataSpec,
                                ParseInts(parse.GetValue(mults), "--mults") ?? img.Network.Multipliers, img.Network.AttentionResolutions),
                            CrossAttentionResolutions = ParseInts(parse.GetValue(crossAttn), "--cross-attn") ?? (text
                                ? TextConditioning.DefaultLevels(SizedFor(dataSpec, img.Network, text) with
                                {
                                    Multipliers = ParseInts(parse.GetValue(mults), "--mults") ?? img.Network.Multipliers,
                                })
                                : []),
                            Dropout = parse.GetValue(dropout) ?? img.Network.Dropout,
                        },
                        // the typed sampler options on the default sampler, checked against T with the flags as typed
                        Sampler = sampler.Check(parse, sampler.Read(parse, imported?.Sampler ?? img.Sampler, scheduleConfig.Timesteps)!,
                            scheduleConfig),
                        EvalSamplers = evalSamplers.Read(parse, scheduleConfig.Timesteps),
                    }, device);
                }
                run = RunDirectory.Create(root);
                if (config is ToyDdpmConfig toyConfig) config = ToyDdpmRecipe.CopyMixtureInto(toyConfig, run);
                RunConfigFile.Write(run, config);
            }

            bool quiet = parse.GetValue(runOptions.Quiet);
            var outcome = kind == ToyDdpmConfig.Kind
                ? ToyDdpmRecipe.Train(RunConfigFile.Read<ToyDdpmConfig>(run).Validate(), run, device, resume, quiet)
                : ImageDdpmRecipe.Train(RunConfigFile.Read<ImageDdpmConfig>(run).Validate(), run, device, resume, quiet);
            return RunCliOptions.Finish(parse, run, outcome);
        });
        return command;
    }

    /// <summary>
    /// The U-Net sized for CAPTCHAs (and given its text path with <c>--condition text</c>) before the data are read, so that the
    /// options naming its levels (<c>--attn</c>, <c>--cross-attn</c>) are checked against the 32x96 run they make.
    /// </summary>
    internal static Nn.UNetConfig SizedFor(string data, Nn.UNetConfig network, bool text) =>
        Data.DataSpec.Parse(data) is Data.DataSpec.Captcha { Options: var o }
            ? network with
            {
                Height = Data.Captcha.CaptchaOptions.Height, Width = Data.Captcha.CaptchaOptions.Width,
                Text = text ? new Nn.Text.UNetTextConfig { Alphabet = o.Alphabet, MaxLength = o.Length } : null,
            }
            : network;

    /// <summary>
    /// Self-attention at the lowest level without --attn: 7 for the 28x28 reference, 32 / 2^(levels-1) for the 32x96 CAPTCHAs
    /// (8 with --mults 1,2,2; docs/captcha.md#size).
    /// </summary>
    internal static int[] DefaultAttention(string data, int[] multipliers, int[] reference) =>
        Data.DataSpec.Parse(data) is Data.DataSpec.Captcha ? [Data.Captcha.CaptchaOptions.Height >> (multipliers.Length - 1)] : reference;

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
