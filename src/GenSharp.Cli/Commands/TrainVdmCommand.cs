using System.CommandLine;
using GenSharp.Runtime;
using GenSharp.Training;
using GenSharp.Vdm;
using GenSharp.Vdm.Toy;

namespace GenSharp.Cli.Commands;

/// <summary>
/// <c>gensharp train vdm</c>: a variational diffusion model on images (docs/vdm.md): the reference U-Net with a fixed or learned log-SNR
/// schedule, trained on the whole variational bound with the continuous-time diffusion loss, ancestral sampling in SNR form; on 2D toy
/// data (<c>--data toy:...</c>) the toy DDPM's MLP instead, scored by exact metrics and the bound beside the exact NLL (docs/vdm.md#toys).
/// Options whose defaults differ between the two are shown as "toy / images".
/// </summary>
public static class TrainVdmCommand
{
    public static Command Build()
    {
        var d = new VdmConfig();
        var toy = new ToyVdmConfig();
        var common = new CommonOptions();
        var runOptions = new RunCliOptions("vdm-<data>");
        var training = new TrainingCliOptions(TrainingFields.StepBased, toy.Training, d.Training);
        training.Data.Description = "Training data: fashion-mnist[:DIR], DIR (a folder holding the Fashion-MNIST IDX files), png:DIR (8-bit " +
            "pixels scaled to [-1, 1]), or a 2D toy: toy:mog2|8gaussians|rings|moons|swissroll or toy:FILE.json (default fashion-mnist; " +
            "docs/vdm.md#toys)";
        training.DescribeEvalEveryForToysAndImages(d.Training.EvalEvery);
        var hidden = new Option<int?>("--hidden") { Description = $"[toy] MLP hidden width (default {toy.Network.Hidden})" };
        var layers = new Option<int?>("--layers") { Description = $"[toy] MLP residual blocks (default {toy.Network.Layers})" };
        var boundPoints = new Option<int?>("--bound-points")
        {
            Description = $"[toy] held-out points of the final bound beside the exact NLL (default {toy.BoundPoints}; eval: --bpd N)"
        };
        var trainLimit = new Option<int>("--train-limit")
        {
            Description = "Use only the first N training images (0 = all)",
            DefaultValueFactory = _ => 0
        };
        var unet = new UNetCliOptions(d.Network);
        var flip = new Option<bool>("--flip") { Description = "Random horizontal flips of training images" };
        var schedule = new Option<string>("--schedule")
        {
            Description = $"Log-SNR schedule gamma(t): {string.Join("|", LogSnrScheduleConfig.Kinds)} (learned: a monotone network, " +
                "Kingma et al. 2021 appendix H.1)",
            DefaultValueFactory = _ => d.Schedule.Kind
        };
        var gammaMin = new Option<double>("--gamma-min")
        {
            Description = "gamma_0 = gamma(0), the log-SNR of the least noisy latent z_0 (the initial value when learned)",
            DefaultValueFactory = _ => d.Schedule.Gamma0
        };
        var gammaMax = new Option<double>("--gamma-max")
        {
            Description = "gamma_1 = gamma(1), the log-SNR of the noisiest latent z_1 (the initial value when learned)",
            DefaultValueFactory = _ => d.Schedule.Gamma1
        };
        var width = new Option<int>("--schedule-width")
        {
            Description = "Hidden units of the learned schedule's monotone network",
            DefaultValueFactory = _ => d.Schedule.Hidden
        };
        var learnEndpoints = new Option<bool>("--learn-endpoints") { Description = "Learn gamma_0 and gamma_1 too (with --schedule learned)" };
        var varianceGradient = new Option<bool>("--variance-gradient")
        {
            Description = "Train the learned schedule on the variance of the diffusion loss (Kingma et al. 2021 appendix I.2; one more " +
                "backward pass per step)"
        };
        var fourier = new Option<bool>("--fourier-features")
        {
            Description = "Concatenate sin/cos(2^k pi z_t), k = 7, 8, to the U-Net's input (Kingma et al. 2021; docs/vdm.md#fourier-features)"
        };
        var sampleSteps = new Option<int?>("--sample-steps")
        {
            Description = $"T, the ancestral steps in SNR form of grids and evaluations (sample/eval: --steps) (default {toy.SamplingSteps} / " +
                $"{d.SamplingSteps})"
        };
        var command = new Command("vdm", "Train a variational diffusion model on images (docs/vdm.md): the reference U-Net predicts the noise " +
            "from z_t and the log-SNR gamma_t; a linear, cosine or learned schedule; the loss is the whole variational bound in bits/dim " +
            "(continuous-time diffusion loss at low-discrepancy times + prior + discretised reconstruction); EMA; ancestral sampling in SNR " +
            "form; eval --bpd N reports the bound term by term, L_T beside L_inf and the estimator's variance.\n\n" +
            "Examples:\n  gensharp train vdm --data fashion-mnist --schedule learned --steps 5000 --threads 2\n" +
            "  gensharp train vdm --data toy:mog2 --schedule learned --steps 6000 --threads 1\n" +
            "  gensharp eval runs/vdm-fashion-mnist --n 1000 --bpd 1000 --steps 100");
        runOptions.AddTo(command);
        training.AddTo(command);
        Option[] imageOnly = [trainLimit, .. unet.All, flip, fourier];
        Option[] toyOnly = [hidden, layers, boundPoints];
        Option[] own = [.. imageOnly, .. toyOnly, schedule, gammaMin, gammaMax, width, learnEndpoints, varianceGradient, sampleSteps];
        foreach (var o in own) command.Options.Add(o);
        common.AddTo(command);
        LogSnrScheduleConfig Schedule(ParseResult parse) => new()
        {
            Kind = parse.GetValue(schedule)!,
            Gamma0 = parse.GetValue(gammaMin),
            Gamma1 = parse.GetValue(gammaMax),
            Hidden = parse.GetValue(width),
            LearnEndpoints = parse.GetValue(learnEndpoints),
            VarianceGradient = parse.GetValue(varianceGradient),
        };
        command.SetAction(parse =>
        {
            string dataSpec = parse.GetValue(training.Data) ?? d.Training.Data;
            bool resume = parse.GetValue(runOptions.Resume);
            bool isToy = resume
                ? IsToyRun(runOptions.Root(parse, "vdm-" + RunNames.FromData(dataSpec)))
                : dataSpec.StartsWith("toy:", StringComparison.Ordinal);
            var wrong = resume ? null : (isToy ? imageOnly : toyOnly).FirstOrDefault(o => TrainingCliOptions.Typed(parse, o));
            if (wrong is not null)
                throw new ConfigException($"{wrong.Name} applies to {(isToy ? "image" : "toy")} data only, and --data is {dataSpec}");
            if (isToy) return TrainToy(parse, common, runOptions, training, dataSpec, resume, () => toy with
            {
                Training = ToyTraining(parse, training, toy.Training with { Data = dataSpec }),
                Schedule = Schedule(parse),
                SamplingSteps = parse.GetValue(sampleSteps) ?? toy.SamplingSteps,
                BoundPoints = parse.GetValue(boundPoints) ?? toy.BoundPoints,
                Network = toy.Network with
                {
                    Hidden = parse.GetValue(hidden) ?? toy.Network.Hidden, Layers = parse.GetValue(layers) ?? toy.Network.Layers,
                },
            });
            return ImageTrainAction.Run(parse, new VdmRecipe(), "a VDM", common, runOptions, training, d, data => d with
            {
                Training = training.Read(parse, d.Training with { Data = data }),
                TrainLimit = parse.GetValue(trainLimit),
                Flip = parse.GetValue(flip),
                Network = unet.Read(parse, d.Network),
                Schedule = Schedule(parse),
                FourierFeatures = parse.GetValue(fourier),
                SamplingSteps = parse.GetValue(sampleSteps) ?? d.SamplingSteps,
            });
        });
        return command;
    }

    /// <summary>Whether <paramref name="root"/> holds a toy VDM run (its config.json's model).</summary>
    private static bool IsToyRun(string root) =>
        File.Exists(Path.Combine(root, "config.json")) && RunConfigFile.ReadKind(RunDirectory.Open(root)) == ToyVdmConfig.Kind;

    /// <summary>The shared settings of a toy run: on toys the metric curve follows the scatter figures unless --eval-every is given.</summary>
    private static TrainingSettings ToyTraining(ParseResult parse, TrainingCliOptions training, TrainingSettings defaults)
    {
        var shared = training.Read(parse, defaults);
        return TrainingCliOptions.Typed(parse, training.EvalEvery) ? shared : shared with { EvalEvery = shared.SampleEvery };
    }

    /// <summary>Resumes the named toy VDM run, or creates it from <paramref name="build"/>; trains, evaluates, prints where the run is.</summary>
    private static int TrainToy(ParseResult parse, CommonOptions common, RunCliOptions runOptions, TrainingCliOptions training, string dataSpec,
        bool resume, Func<ToyVdmConfig> build)
    {
        var device = TorchRuntime.Initialize(common.Read(parse));
        string root = runOptions.Root(parse, "vdm-" + RunNames.FromData(dataSpec));
        RunDirectory run;
        if (resume)
            run = RunCliOptions.OpenForResume(root, "a VDM", parse.GetValue(training.Steps), parse.InvocationConfiguration.Output,
                ToyVdmConfig.Kind).Run;
        else
        {
            var config = ToyVdmRecipe.Resolve(build(), device);
            run = RunDirectory.Create(root);
            RunConfigFile.Write(run, ToyVdmRecipe.CopyMixtureInto(config, run));
        }
        var outcome = ToyVdmRecipe.Train(RunConfigFile.Read<ToyVdmConfig>(run).Validate(), run, device, resume, parse.GetValue(runOptions.Quiet));
        return RunCliOptions.Finish(parse, run, outcome);
    }
}
