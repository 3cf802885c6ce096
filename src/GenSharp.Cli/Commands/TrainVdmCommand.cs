using System.CommandLine;
using GenSharp.Vdm;

namespace GenSharp.Cli.Commands;

/// <summary>
/// <c>gensharp train vdm</c>: a variational diffusion model on images (docs/vdm.md): the reference U-Net with a fixed or learned log-SNR
/// schedule, trained on the whole variational bound with the continuous-time diffusion loss, ancestral sampling in SNR form.
/// </summary>
public static class TrainVdmCommand
{
    public static Command Build()
    {
        var d = new VdmConfig();
        var common = new CommonOptions();
        var runOptions = new RunCliOptions("vdm-<data>");
        var training = new TrainingCliOptions(TrainingFields.StepBased, d.Training);
        training.Data.Description = "Training images: fashion-mnist[:DIR], DIR (a folder holding the Fashion-MNIST IDX files) or png:DIR (8-bit " +
            "pixels scaled to [-1, 1]) (default fashion-mnist)";
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
        var sampleSteps = new Option<int>("--sample-steps")
        {
            Description = "T, the ancestral steps in SNR form of grids and evaluations (sample/eval: --steps)",
            DefaultValueFactory = _ => d.SamplingSteps
        };
        var command = new Command("vdm", "Train a variational diffusion model on images (docs/vdm.md): the reference U-Net predicts the noise " +
            "from z_t and the log-SNR gamma_t; a linear, cosine or learned schedule; the loss is the whole variational bound in bits/dim " +
            "(continuous-time diffusion loss at low-discrepancy times + prior + discretised reconstruction); EMA; ancestral sampling in SNR " +
            "form; eval --bpd N reports the bound term by term, L_T beside L_inf and the estimator's variance.\n\n" +
            "Examples:\n  gensharp train vdm --data fashion-mnist --schedule learned --steps 5000 --threads 2\n" +
            "  gensharp eval runs/vdm-fashion-mnist --n 1000 --bpd 1000 --steps 100");
        runOptions.AddTo(command);
        training.AddTo(command);
        Option[] own = [trainLimit, .. unet.All, flip, schedule, gammaMin, gammaMax, width, learnEndpoints, varianceGradient, fourier, sampleSteps];
        foreach (var o in own) command.Options.Add(o);
        common.AddTo(command);
        command.SetAction(parse => ImageTrainAction.Run(parse, new VdmRecipe(), "a VDM", common, runOptions, training, d, dataSpec => d with
        {
            Training = training.Read(parse, d.Training with { Data = dataSpec }),
            TrainLimit = parse.GetValue(trainLimit),
            Flip = parse.GetValue(flip),
            Network = unet.Read(parse, d.Network),
            Schedule = new LogSnrScheduleConfig
            {
                Kind = parse.GetValue(schedule)!,
                Gamma0 = parse.GetValue(gammaMin),
                Gamma1 = parse.GetValue(gammaMax),
                Hidden = parse.GetValue(width),
                LearnEndpoints = parse.GetValue(learnEndpoints),
                VarianceGradient = parse.GetValue(varianceGradient),
            },
            FourierFeatures = parse.GetValue(fourier),
            SamplingSteps = parse.GetValue(sampleSteps),
        }));
        return command;
    }
}
