using System.CommandLine;
using GenSharp.Data;
using GenSharp.Gan;
using GenSharp.Gan.Losses;
using GenSharp.Runtime;
using GenSharp.Training;

namespace GenSharp.Cli.Commands;

/// <summary><c>gensharp train gan</c>: a GAN on Fashion-MNIST with any objective of docs/gans.md#objectives.</summary>
public static class TrainGanCommand
{
    public static Command Build()
    {
        var d = new GanConfig();
        var common = new CommonOptions();
        var loss = new Option<string>("--loss")
        {
            Description = $"Objective: {string.Join("|", GanLosses.Names)}",
            DefaultValueFactory = _ => d.Loss
        };
        var runOptions = new RunCliOptions("gan-<loss>", extendable: false);
        var training = new TrainingCliOptions(TrainingFields.Data | TrainingFields.Seed | TrainingFields.Epochs | TrainingFields.Batch
            | TrainingFields.Lr | TrainingFields.Ema | TrainingFields.LogEvery | TrainingFields.CheckpointEvery | TrainingFields.EvalN
            | TrainingFields.FinalEvalN | TrainingFields.TensorBoard | TrainingFields.TimeBudget, d.Training);
        training.Data.Description = "Fashion-MNIST: fashion-mnist[:DIR] or a folder holding its IDX files (default fashion-mnist, Debian's package)";
        training.Epochs.Description = $"Epochs: passes of the discriminator over the training images (default {d.Training.Epochs})";
        training.Batch.Description = "Batch size (default: the objective's, 64)";
        training.Lr.Description = "Learning rate of both networks (default: 5e-5 wgan, 1e-4 wgan-gp, 2e-4 otherwise)";
        training.Ema.Description = "EMA of the generator used for sampling, 0 = off (default 0)";
        training.LogEvery.Description = $"Generator steps between metrics.jsonl records (default {d.Training.LogEvery})";
        training.CheckpointEvery.Description = $"Generator steps between checkpoints, also at every epoch end (default " +
            $"{d.Training.CheckpointEvery})";
        training.EvalN.Description = $"Samples scored after each epoch, 0 = off (default {d.Training.EvalSamples})";
        training.EvalN.Aliases.Add("--epoch-eval-samples");
        training.FinalEvalN.Description = $"Samples scored by the final evaluation (default {d.Training.FinalEvalSamples})";
        training.FinalEvalN.Aliases.Add("--eval-samples");
        var optimizer = new Option<string?>("--optimizer") { Description = "adam or rmsprop (default: rmsprop for wgan, adam otherwise)" };
        var lr = new Option<double?>("--lr") { Description = "Learning rate of both networks (default: 5e-5 wgan, 1e-4 wgan-gp, 2e-4 otherwise)" };
        var beta1 = new Option<double?>("--beta1") { Description = "Adam beta1 (default: 0 for wgan-gp, 0.5 otherwise)" };
        var beta2 = new Option<double?>("--beta2") { Description = "Adam beta2 (default: 0.9 for wgan-gp, 0.999 otherwise)" };
        var nCritic = new Option<int?>("--n-critic")
        {
            Description = "Discriminator steps per generator step (default: 5 for wgan and wgan-gp, 1 otherwise)"
        };
        var clip = new Option<double>("--clip") { Description = "WGAN weight-clipping bound c", DefaultValueFactory = _ => d.Clip };
        var gpLambda = new Option<double>("--gp-lambda") { Description = "WGAN-GP penalty weight lambda", DefaultValueFactory = _ => d.GpLambda };
        var noise = new Option<double>("--instance-noise")
        {
            Description = "Instance-noise sigma on the discriminator's inputs, annealed linearly to 0 (0 = off)",
            DefaultValueFactory = _ => 0
        };
        var noAnneal = new Option<bool>("--no-anneal") { Description = "Keep the instance noise constant instead of annealing it" };
        var zDim = new Option<int>("--z-dim") { Description = "Latent dimension", DefaultValueFactory = _ => d.Network.ZDim };
        var trainLimit = new Option<int>("--train-limit")
        {
            Description = "Use only the first N training images (0 = all)",
            DefaultValueFactory = _ => 0
        };
        var command = new Command("gan", "Train a GAN on Fashion-MNIST (docs/gans.md): the PixelShuffle generator and convolutional discriminator " +
            "of the course, " +
            "objective ns|minimax|wgan|wgan-gp|hinge with the course's optimiser settings, optional instance noise; per-epoch grids, FD/recall " +
            "and class histograms.\n\n" +
            "Examples:\n  gensharp train gan --loss ns --epochs 20\n  gensharp train gan --loss wgan --epochs 20 --name wgan-clip\n" +
            "  gensharp train gan --loss wgan-gp --epochs 20\n  gensharp train gan --loss ns --instance-noise 0.1 --name ns-noise\n" +
            "  gensharp train gan --name gan-ns --resume");
        command.Options.Add(loss);
        runOptions.AddTo(command);
        training.AddTo(command);
        foreach (var o in new Option[] { optimizer, beta1, beta2, nCritic, clip, gpLambda, noise, noAnneal, zDim, trainLimit })
            command.Options.Add(o);
        common.AddTo(command);
        command.SetAction(parse =>
        {
            var device = TorchRuntime.Initialize(common.Read(parse));
            string root = runOptions.Root(parse, "gan-" + parse.GetValue(loss));
            bool resume = parse.GetValue(runOptions.Resume);
            RunDirectory run;
            GanConfig config;
            if (resume)
            {
                run = RunCliOptions.OpenForResume(root, "a GAN", null, parse.InvocationConfiguration.Output, GanConfig.Kind).Run;
                config = RunConfigFile.Read<GanConfig>(run).Validate();
            }
            else
            {
                var forLoss = GanConfig.ForLoss(parse.GetValue(loss)!);
                config = GanRecipe.Resolve(forLoss with
                {
                    Training = FashionMnistOnly(training.Read(parse, forLoss.Training)),
                    Optimizer = parse.GetValue(optimizer),
                    Beta1 = parse.GetValue(beta1),
                    Beta2 = parse.GetValue(beta2),
                    NCritic = parse.GetValue(nCritic),
                    Clip = parse.GetValue(clip),
                    GpLambda = parse.GetValue(gpLambda),
                    InstanceNoise = new InstanceNoise(parse.GetValue(noise), !parse.GetValue(noAnneal)),
                    Network = d.Network with { ZDim = parse.GetValue(zDim) },
                    TrainLimit = parse.GetValue(trainLimit),
                }, device);
                run = RunDirectory.Create(root);
                RunConfigFile.Write(run, config);
            }
            var outcome = GanRecipe.Train(config, run, device, resume, parse.GetValue(runOptions.Quiet), parse.InvocationConfiguration.Error);
            return RunCliOptions.Finish(parse, run, outcome);
        });
        return command;
    }

    /// <summary>The settings with their data checked to be Fashion-MNIST and stored in its prefixed form (GAN and VAE train on it only).</summary>
    internal static TrainingSettings FashionMnistOnly(TrainingSettings training) =>
        training with { Data = DataSpec.FashionMnistDirectory(training.Data) is { } dir ? "fashion-mnist:" + dir : "fashion-mnist" };
}
