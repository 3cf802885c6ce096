using System.CommandLine;
using GenSharp.Latent;
using GenSharp.Runtime;
using GenSharp.Training;

namespace GenSharp.Cli.Commands;

/// <summary>
/// <c>gensharp train ldm --autoencoder RUN_VAE</c>: latent diffusion (docs/latent-diffusion.md): the training set encoded once by a VAE
/// run's posterior mean and scaled to unit variance, the reference U-Net code on the C x 7 x 7 latents, samples decoded to images.
/// </summary>
public static class TrainLdmCommand
{
    public static Command Build()
    {
        var d = new LatentDiffusionConfig();
        var common = new CommonOptions();
        var runOptions = new RunCliOptions("ldm-<data>");
        var training = new TrainingCliOptions(TrainingFields.StepBased, d.Training);
        training.Data.Description = "Training images (1x28x28, what the VAE encodes): fashion-mnist[:DIR], DIR (a folder holding the " +
            "Fashion-MNIST IDX files) or png:DIR (default fashion-mnist)";
        var autoencoder = new Option<string?>("--autoencoder")
        {
            Description = "The VAE run whose encoder and decoder are the autoencoder (trained with --latent-dim 0: a C x 7 x 7 latent); its " +
                          "latest checkpoint is recorded with its SHA-256"
        };
        var trainLimit = new Option<int>("--train-limit")
        {
            Description = "Encode and train on only the first N training images (0 = all)",
            DefaultValueFactory = _ => 0
        };
        var ch = new Option<int>("--ch") { Description = "U-Net base channels", DefaultValueFactory = _ => d.Network.Channels };
        var mults = new Option<string?>("--mults")
        {
            Description = $"U-Net channel multiplier; one level only, since 7 is odd (default {string.Join(",", d.Network.Multipliers)})"
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
        var condition = new ConditionCliOptions();
        condition.Condition.Description = "Condition on labels: class (Fashion-MNIST classes, or png:DIR sub-folders; the latents keep their " +
            "images' labels, classifier-free guidance as in train ddpm) or none";
        condition.PUncond.Description = "With --condition class: probability that a training label is replaced by the null label (default 0.1)";
        var command = new Command("ldm", "Train a latent diffusion model (docs/latent-diffusion.md; Rombach et al. 2022): the training images are " +
            "encoded once by a VAE's posterior mean, scaled to unit variance (the scale factor is stored in config.json), and the reference U-Net " +
            "code (one level at 7x7) learns L_simple on the latents; samples are decoded, and FD is measured on the decoded images beside the " +
            "autoencoder's reconstruction FD.\n\n" +
            "Examples:\n  gensharp train vae --latent-dim 0 --latent-channels 4 --kl-weight 0.1 --name vae-ldm\n" +
            "  gensharp train ldm --autoencoder runs/vae-ldm --data fashion-mnist --steps 5000\n" +
            "  gensharp train ldm --name ldm-fashion-mnist --resume\n  gensharp sample runs/ldm-fashion-mnist --n 64 --sampler dpmpp --steps 20\n" +
            "  gensharp train ldm --autoencoder runs/vae-ldm --condition class --p-uncond 0.1 --name ldm-class\n" +
            "  gensharp sample runs/ldm-class --class Sandal --guidance 3 --n 64");
        command.Options.Add(autoencoder);
        runOptions.AddTo(command);
        training.AddTo(command);
        foreach (var o in new Option[] { trainLimit, ch, mults, resBlocks, attn, dropout }) command.Options.Add(o);
        condition.AddTo(command);
        common.AddTo(command);
        command.SetAction(parse =>
        {
            var device = TorchRuntime.Initialize(common.Read(parse));
            string dataSpec = parse.GetValue(training.Data) ?? d.Training.Data;
            string root = runOptions.Root(parse, "ldm-" + RunNames.FromData(dataSpec));
            bool resume = parse.GetValue(runOptions.Resume);
            RunDirectory run;
            if (resume)
                run = RunCliOptions.OpenForResume(root, "a latent-diffusion", parse.GetValue(training.Steps), parse.InvocationConfiguration.Output,
                    LatentDiffusionConfig.Kind).Run;
            else
            {
                string vae = parse.GetValue(autoencoder)
                    ?? throw new ConfigException("--autoencoder: required for a new run; give a VAE run trained with --latent-dim 0");
                var config = d with
                {
                    Training = training.Read(parse, d.Training with { Data = dataSpec }),
                    Autoencoder = AutoencoderReference.Of(vae),
                    TrainLimit = parse.GetValue(trainLimit),
                    Conditioning = condition.Read(parse, isToy: false),
                    Network = d.Network with
                    {
                        Channels = parse.GetValue(ch),
                        Multipliers = TrainDdpmCommand.ParseInts(parse.GetValue(mults), "--mults") ?? d.Network.Multipliers,
                        ResBlocksPerLevel = parse.GetValue(resBlocks),
                        AttentionResolutions = TrainDdpmCommand.ParseInts(parse.GetValue(attn), "--attn") ?? d.Network.AttentionResolutions,
                        Dropout = parse.GetValue(dropout),
                    },
                };
                config.Validate(); // everything that can be checked without encoding the data
                config = LatentDiffusionRecipe.Resolve(config, device);
                run = RunDirectory.Create(root);
                RunConfigFile.Write(run, config);
            }
            var outcome = LatentDiffusionRecipe.Train(RunConfigFile.Read<LatentDiffusionConfig>(run).Validate(), run, device, resume,
                parse.GetValue(runOptions.Quiet), parse.InvocationConfiguration.Error);
            return RunCliOptions.Finish(parse, run, outcome);
        });
        return command;
    }
}
