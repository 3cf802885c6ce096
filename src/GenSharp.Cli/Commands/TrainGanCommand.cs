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
        var data = new Option<string?>("--data")
        {
            Description = "Fashion-MNIST: a folder holding its IDX files, or fashion-mnist[:DIR] (default /usr/share/datasets/fashion-mnist)"
        };
        var name = new Option<string?>("--name") { Description = "Run name (folder under --runs); default gan-<loss>" };
        var runs = new Option<string>("--runs") { Description = "Folder that holds run directories", DefaultValueFactory = _ => "runs" };
        var resume = new Option<bool>("--resume")
        {
            Description = "Continue the run's last checkpoint to its configured final step (other settings come from its config.json)"
        };
        var epochs = new Option<int>("--epochs")
        {
            Description = "Epochs (passes of the discriminator over the training images)",
            DefaultValueFactory = _ => d.Epochs
        };
        var batch = new Option<int?>("--batch") { Description = "Batch size (default: the objective's, 64)" };
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
        var emaDecay = new Option<double>("--ema-decay")
        {
            Description = "EMA of the generator used for sampling (0 = off)",
            DefaultValueFactory = _ => d.EmaDecay
        };
        var seed = new Option<long>("--seed") { Description = "Seed for initialisation, batches and noise", DefaultValueFactory = _ => d.Seed };
        var trainLimit = new Option<int>("--train-limit")
        {
            Description = "Use only the first N training images (0 = all)",
            DefaultValueFactory = _ => 0
        };
        var epochEval = new Option<int>("--epoch-eval-samples")
        {
            Description = "Samples scored after each epoch (0 = off)",
            DefaultValueFactory = _ => d.EpochEvalSamples
        };
        var evalSamples = new Option<int>("--eval-samples")
        {
            Description = "Samples scored by the final evaluation",
            DefaultValueFactory = _ => d.EvalSamples
        };
        var checkpointEvery = new Option<int>("--checkpoint-every")
        {
            Description = "Generator steps between checkpoints (also at every epoch end)",
            DefaultValueFactory = _ => d.CheckpointEvery
        };
        var logEvery = new Option<int>("--log-every")
        {
            Description = "Generator steps between metrics.jsonl records",
            DefaultValueFactory = _ => d.LogEvery
        };
        var quiet = new Option<bool>("--quiet") { Description = "No progress bars or per-epoch lines" };

        var command = new Command("gan", "Train a GAN on Fashion-MNIST (docs/gans.md): the PixelShuffle generator and convolutional discriminator " +
            "of the course, " +
            "objective ns|minimax|wgan|wgan-gp|hinge with the course's optimiser settings, optional instance noise; per-epoch grids, FD/recall and " +
            "class histograms.\n\n" +
            "Examples:\n  gensharp train gan --loss ns --epochs 20\n  gensharp train gan --loss wgan --epochs 20 --name wgan-clip\n" +
            "  gensharp train gan --loss wgan-gp --epochs 20\n  gensharp train gan --loss ns --instance-noise 0.1 --name ns-noise\n" +
            "  gensharp train gan --name gan-ns --resume");
        foreach (var o in new Option[]
                 {
                     loss, data, name, runs, resume, epochs, batch, optimizer, lr, beta1, beta2, nCritic, clip, gpLambda, noise, noAnneal, zDim,
                     emaDecay, seed, trainLimit, epochEval, evalSamples, checkpointEvery, logEvery, quiet
                 })
            command.Options.Add(o);
        common.AddTo(command);
        command.SetAction(parse =>
        {
            var device = TorchRuntime.Initialize(common.Read(parse));
            string root = RunName.Under(parse.GetValue(runs)!, parse.GetValue(name) ?? "gan-" + parse.GetValue(loss));
            bool isQuiet = parse.GetValue(quiet);
            RunDirectory run;
            GanConfig config;
            if (parse.GetValue(resume))
            {
                run = RunDirectory.OpenForTraining(root);
                config = RunConfigFile.Read<GanConfig>(run).Validate();
            }
            else
            {
                config = GanRecipe.Resolve(d with
                {
                    Loss = parse.GetValue(loss)!,
                    DataDir = DataSpec.FashionMnistDirectory(parse.GetValue(data)),
                    Epochs = parse.GetValue(epochs),
                    Batch = parse.GetValue(batch),
                    Optimizer = parse.GetValue(optimizer),
                    Lr = parse.GetValue(lr),
                    Beta1 = parse.GetValue(beta1),
                    Beta2 = parse.GetValue(beta2),
                    NCritic = parse.GetValue(nCritic),
                    Clip = parse.GetValue(clip),
                    GpLambda = parse.GetValue(gpLambda),
                    InstanceNoise = new InstanceNoise(parse.GetValue(noise), !parse.GetValue(noAnneal)),
                    Network = d.Network with { ZDim = parse.GetValue(zDim) },
                    EmaDecay = parse.GetValue(emaDecay),
                    Seed = parse.GetValue(seed),
                    TrainLimit = parse.GetValue(trainLimit),
                    EpochEvalSamples = parse.GetValue(epochEval),
                    EvalSamples = parse.GetValue(evalSamples),
                    CheckpointEvery = parse.GetValue(checkpointEvery),
                    LogEvery = parse.GetValue(logEvery),
                }, device);
                run = RunDirectory.Create(root);
                RunConfigFile.Write(run, config);
            }
            var output = parse.InvocationConfiguration.Output;
            var outcome = GanRecipe.Train(config, run, device, parse.GetValue(resume), isQuiet, parse.InvocationConfiguration.Error);
            output.WriteLine($"run:    {run.Root}");
            output.WriteLine($"report: {run.ReportPath}");
            EvalCommand.PrintMetrics(output, outcome);
            return 0;
        });
        return command;
    }
}
