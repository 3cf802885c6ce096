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
        var data = new Option<string?>("--data")
        {
            Description = "Fashion-MNIST: a folder holding its IDX files, or fashion-mnist[:DIR] (default /usr/share/datasets/fashion-mnist)"
        };
        var name = new Option<string?>("--name") { Description = "Run name (folder under --runs); default vae" };
        var runs = new Option<string>("--runs") { Description = "Folder that holds run directories", DefaultValueFactory = _ => "runs" };
        var resume = new Option<bool>("--resume") { Description = "Continue the run's last checkpoint to its configured final step" };
        var epochs = new Option<int>("--epochs") { Description = "Epochs over the training images", DefaultValueFactory = _ => d.Epochs };
        var batch = new Option<int>("--batch") { Description = "Batch size", DefaultValueFactory = _ => d.Batch };
        var lr = new Option<double>("--lr") { Description = "Peak AdamW learning rate (warm-up, cosine decay)", DefaultValueFactory = _ => d.Lr };
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
        var gradClip = new Option<double>("--grad-clip") { Description = "Gradient-norm clip (0 = off)", DefaultValueFactory = _ => d.GradClip };
        var seed = new Option<long>("--seed") { Description = "Seed", DefaultValueFactory = _ => d.Seed };
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
        var epochEval = new Option<int>("--epoch-eval-samples")
        {
            Description = "Prior samples scored after each epoch (0 = off)",
            DefaultValueFactory = _ => d.EpochEvalSamples
        };
        var evalSamples = new Option<int>("--eval-samples")
        {
            Description = "Prior samples scored by the final evaluation",
            DefaultValueFactory = _ => d.EvalSamples
        };
        var checkpointEvery = new Option<int>("--checkpoint-every")
        {
            Description = "Steps between checkpoints",
            DefaultValueFactory = _ => d.CheckpointEvery
        };
        var logEvery = new Option<int>("--log-every") { Description = "Steps between metrics.jsonl records", DefaultValueFactory = _ => d.LogEvery };
        var quiet = new Option<bool>("--quiet") { Description = "No progress bars or per-epoch lines" };
        var command = new Command("vae", "Train a convolutional VAE on Fashion-MNIST (docs/vae.md): Gaussian encoder, reparameterisation, " +
            "closed-form KL, Bernoulli or Gaussian decoder; " +
            "logs the ELBO and its two terms, reports the test-set ELBO and FD per epoch, samples, reconstructions and a latent interpolation.\n\n" +
            "Examples:\n  gensharp train vae --epochs 10\n" +
            "  gensharp train vae --latent-dim 0 --latent-channels 4 --name vae-ldm   (7x7x4 latent for latent diffusion)\n" +
            "  gensharp train vae --likelihood gaussian --name vae-gauss\n  gensharp train vae --name vae --resume");
        foreach (var o in new Option[]
                 {
                     data, name, runs, resume, epochs, batch, lr, likelihood, latentDim, latentChannels, width, klWeight, gradClip, seed, trainLimit,
                     testLimit, epochEval, evalSamples, checkpointEvery, logEvery, quiet
                 })
            command.Options.Add(o);
        common.AddTo(command);
        command.SetAction(parse =>
        {
            var device = TorchRuntime.Initialize(common.Read(parse));
            string root = RunName.Under(parse.GetValue(runs)!, parse.GetValue(name) ?? "vae");
            RunDirectory run;
            VaeConfig config;
            if (parse.GetValue(resume))
            {
                run = RunDirectory.OpenForTraining(root);
                config = RunConfigFile.Read<VaeConfig>(run).Validate();
            }
            else
            {
                config = VaeRecipe.Resolve(d with
                {
                    DataDir = DataSpec.FashionMnistDirectory(parse.GetValue(data)),
                    Epochs = parse.GetValue(epochs),
                    Batch = parse.GetValue(batch),
                    Lr = parse.GetValue(lr),
                    KlWeight = parse.GetValue(klWeight),
                    GradClip = parse.GetValue(gradClip),
                    Seed = parse.GetValue(seed),
                    TrainLimit = parse.GetValue(trainLimit),
                    TestLimit = parse.GetValue(testLimit),
                    EpochEvalSamples = parse.GetValue(epochEval),
                    EvalSamples = parse.GetValue(evalSamples),
                    CheckpointEvery = parse.GetValue(checkpointEvery),
                    LogEvery = parse.GetValue(logEvery),
                    Network = new VaeNetworkConfig(
                        parse.GetValue(width),
                        parse.GetValue(latentChannels),
                        parse.GetValue(latentDim),
                        parse.GetValue(likelihood)!),
                }, device);
                run = RunDirectory.Create(root);
                RunConfigFile.Write(run, config);
            }
            var outcome = VaeRecipe.Train(config, run, device, parse.GetValue(resume), parse.GetValue(quiet), parse.InvocationConfiguration.Error);
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine($"run:    {run.Root}");
            output.WriteLine($"report: {run.ReportPath}");
            EvalCommand.PrintMetrics(output, outcome);
            return 0;
        });
        return command;
    }
}
