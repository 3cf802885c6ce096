using System.CommandLine;
using GenSharp.Score.Images;

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
        var runOptions = new RunCliOptions("ncsn-<data>");
        var training = new TrainingCliOptions(TrainingFields.StepBased, d.Training);
        training.Data.Description = "Training images: fashion-mnist[:DIR], DIR (a folder holding the Fashion-MNIST IDX files) or png:DIR (pixels " +
            "scaled to [0, 1]) (default fashion-mnist)";
        training.Lr.Description = $"AdamW learning rate (default {d.Training.Lr:G3}, NCSNv2's)";
        training.Ema.Description = $"EMA decay of the weights used for sampling (technique 5) (default {d.Training.EmaDecay})";
        training.EvalEvery.Description = $"Steps between FD evaluations during training, 0 = never (default {d.Training.EvalEvery})";
        var trainLimit = new Option<int>("--train-limit")
        {
            Description = "Use only the first N training images (0 = all)",
            DefaultValueFactory = _ => 0
        };
        var unet = new UNetCliOptions(d.Network);
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
        var command = new Command("ncsn", "Train an NCSNv2 score model on images (docs/score-models.md#ncsn-images): the reference U-Net as " +
            "s(x, sigma) = u(x, 250 ln sigma) / sigma, denoising " +
            "score matching (weight sigma^2) over geometric noise levels from NCSNv2's techniques (sigma1 from the data, gamma for D, eps for T), " +
            "EMA, annealed Langevin sampling with final denoising; sample grids and Fréchet distance during training, figures in report.html.\n\n" +
            "Examples:\n  gensharp train ncsn --data fashion-mnist --steps 20000 --threads 2\n" +
            "  gensharp train ncsn --data fashion-mnist --ch 16 --steps 2000 --eval-every 500 --T 3 --name small\n" +
            "  gensharp train ncsn --name small --resume\n  gensharp sample runs/small --n 64 --T 5 --levels-used 50");
        runOptions.AddTo(command);
        training.AddTo(command);
        Option[] own = [trainLimit, .. unet.All, flip, sigma1, sigma1Images, sigmaL, levels, stepsPerLevel, eps, levelsUsed, noDenoise];
        foreach (var o in own) command.Options.Add(o);
        objective.AddTo(command);
        common.AddTo(command);
        command.SetAction(parse => ImageTrainAction.Run(parse, new ImageNcsnRecipe(), "an NCSN", common, runOptions, training, d, dataSpec => d with
        {
            Training = training.Read(parse, d.Training with { Data = dataSpec }),
            TrainLimit = parse.GetValue(trainLimit),
            Flip = parse.GetValue(flip),
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
            Network = unet.Read(parse, d.Network),
        }));
        return command;
    }
}
