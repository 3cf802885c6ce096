using System.CommandLine;
using GenSharp.Data;
using GenSharp.Runtime;
using GenSharp.Training;
using GenSharp.Vae;

namespace GenSharp.Cli.Commands;

/// <summary><c>gensharp train vae</c>: a convolutional VAE on Fashion-MNIST (docs/vae.md).</summary>
public static class TrainVaeCommand
{
    public static Command Build()
    {
        var d = new VaeConfig();
        var common = new CommonOptions();
        var runOptions = new RunCliOptions("vae", extendable: false);
        var training = new TrainingCliOptions(TrainingFields.Data | TrainingFields.Seed | TrainingFields.Epochs | TrainingFields.Batch
            | TrainingFields.Lr | TrainingFields.Warmup | TrainingFields.LrDecay | TrainingFields.GradClip | TrainingFields.LogEvery
            | TrainingFields.CheckpointEvery | TrainingFields.EvalN | TrainingFields.FinalEvalN | TrainingFields.TensorBoard
            | TrainingFields.TimeBudget, d.Training);
        training.Data.Description = "Fashion-MNIST: fashion-mnist[:DIR] or a folder holding its IDX files (default fashion-mnist, Debian's package)";
        training.Lr.Description = $"Peak AdamW learning rate (default {d.Training.Lr:G3})";
        training.EvalN.Description = $"Prior samples scored after each epoch, 0 = off (default {d.Training.EvalSamples})";
        training.EvalN.Aliases.Add("--epoch-eval-samples");
        training.FinalEvalN.Description = $"Prior samples scored by the final evaluation (default {d.Training.FinalEvalSamples})";
        training.FinalEvalN.Aliases.Add("--eval-samples");
        var likelihood = new Option<string>("--likelihood")
        {
            Description = "p(x|z): bernoulli or gaussian",
            DefaultValueFactory = _ => d.Network.Likelihood
        };
        var latentDim = new Option<int>("--latent-dim")
        {
            Description = "Flat latent dimension; 0 = spatial latent (--latent-channels x 7 x 7, for latent diffusion)",
            DefaultValueFactory = _ => d.Network.FlatDim
        };
        var latentChannels = new Option<int>("--latent-channels")
        {
            Description = "Channels of the spatial 7x7 latent (with --latent-dim 0)",
            DefaultValueFactory = _ => d.Network.LatentChannels
        };
        var width = new Option<int>("--width") { Description = "Channels of the first conv", DefaultValueFactory = _ => d.Network.Width };
        var klWeight = new Option<double>("--kl-weight")
        {
            Description = "Weight of the KL term in the training loss (1 = ELBO)",
            DefaultValueFactory = _ => d.KlWeight
        };
        var trainLimit = new Option<int>("--train-limit")
        {
            Description = "Use only the first N training images (0 = all)",
            DefaultValueFactory = _ => 0
        };
        var testLimit = new Option<int>("--test-limit")
        {
            Description = "Score the ELBO on only the first N test images (0 = all)",
            DefaultValueFactory = _ => 0
        };
        var command = new Command("vae", "Train a convolutional VAE on Fashion-MNIST (docs/vae.md): Gaussian encoder, reparameterisation, " +
            "closed-form KL, Bernoulli or Gaussian decoder; " +
            "logs the ELBO and its two terms, reports the test-set ELBO and FD per epoch, samples, reconstructions and a latent interpolation.\n\n" +
            "Examples:\n  gensharp train vae --epochs 10\n" +
            "  gensharp train vae --latent-dim 0 --latent-channels 4 --name vae-ldm   (7x7x4 latent for latent diffusion)\n" +
            "  gensharp train vae --likelihood gaussian --name vae-gauss\n  gensharp train vae --name vae --resume");
        runOptions.AddTo(command);
        training.AddTo(command);
        foreach (var o in new Option[] { likelihood, latentDim, latentChannels, width, klWeight, trainLimit, testLimit })
            command.Options.Add(o);
        common.AddTo(command);
        command.SetAction(parse =>
        {
            var device = TorchRuntime.Initialize(common.Read(parse));
            string root = runOptions.Root(parse, "vae");
            bool resume = parse.GetValue(runOptions.Resume);
            RunDirectory run;
            VaeConfig config;
            if (resume)
            {
                run = RunCliOptions.OpenForResume(root, "a VAE", null, parse.InvocationConfiguration.Output, VaeConfig.Kind).Run;
                config = RunConfigFile.Read<VaeConfig>(run).Validate();
            }
            else
            {
                config = VaeRecipe.Resolve(d with
                {
                    Training = TrainGanCommand.FashionMnistOnly(training.Read(parse, d.Training)),
                    KlWeight = parse.GetValue(klWeight),
                    TrainLimit = parse.GetValue(trainLimit),
                    TestLimit = parse.GetValue(testLimit),
                    Network = new VaeNetworkConfig(
                        parse.GetValue(width),
                        parse.GetValue(latentChannels),
                        parse.GetValue(latentDim),
                        parse.GetValue(likelihood)!),
                }, device);
                run = RunDirectory.Create(root);
                RunConfigFile.Write(run, config);
            }
            var outcome = VaeRecipe.Train(config, run, device, resume, parse.GetValue(runOptions.Quiet), parse.InvocationConfiguration.Error);
            return RunCliOptions.Finish(parse, run, outcome);
        });
        return command;
    }
}
