using System.CommandLine;
using System.Globalization;
using GenSharp.Runtime;
using GenSharp.Score.Losses;
using GenSharp.Score.Toy;

namespace GenSharp.Cli.Commands;

/// <summary>
/// <c>gensharp lab score-toy</c>: the seed-004 score-based experiments on a 2D Gaussian mixture (docs/score-models.md#toy-experiments),
/// written as figures into OUT/report.html with the numbers in OUT/results.json.
/// </summary>
public static class LabScoreToyCommand
{
    public static Command Build()
    {
        var d = new ScoreToyConfig();
        var common = new CommonOptions();
        var data = new Option<string>("--data")
        {
            Description = "toy:mog2 (default), another toy:NAME, or toy:FILE.json (your Gaussian mixture)",
            DefaultValueFactory = _ => d.Data,
        };
        var outDir = new Option<string?>("--out") { Description = "Output folder (default runs/score-toy-<data>)" };
        var seed = new Option<long>("--seed") { Description = "Seed for data, initialisation and noise", DefaultValueFactory = _ => d.Seed };
        var loss = new Option<string>("--loss")
        {
            Description = $"Score-matching loss: {string.Join(", ", ScoreLossRegistry.Names)}",
            DefaultValueFactory = _ => d.Loss,
        };
        var hidden = new Option<int>("--hidden") { Description = "ScoreNet hidden width", DefaultValueFactory = _ => d.Network.Hidden };
        var layers = new Option<int>("--layers") { Description = "ScoreNet linear layers", DefaultValueFactory = _ => d.Network.Layers };
        var batch = new Option<int>("--batch") { Description = "Batch size", DefaultValueFactory = _ => d.Batch };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate", DefaultValueFactory = _ => d.Lr };
        var trainSize = new Option<int>("--train-size") { Description = "Training-set size", DefaultValueFactory = _ => d.TrainSize };
        var fixedSigmas = new Option<string>("--fixed-sigmas")
        {
            Description = "Noise levels of the fixed-sigma experiment",
            DefaultValueFactory = _ => "1,3,7",
        };
        var fixedSteps = new Option<int>("--fixed-steps")
        {
            Description = "Training steps per fixed sigma",
            DefaultValueFactory = _ => d.FixedSigmaSteps,
        };
        var sigmaMax = new Option<string>("--sigma-max")
        {
            Description = "sigma_1 of the NCSN, or 'auto' (NCSNv2 technique 1: max pairwise distance of the training set)",
            DefaultValueFactory = _ => "20",
        };
        var sigmaMin = new Option<double>("--sigma-min") { Description = "sigma_L of the NCSN", DefaultValueFactory = _ => d.SigmaMin };
        var levels = new Option<int>("--levels") { Description = "Number of geometric noise levels L", DefaultValueFactory = _ => d.Levels };
        var ncsnSteps = new Option<int>("--ncsn-steps")
        {
            Description = "Training steps of the noise-conditional network",
            DefaultValueFactory = _ => d.NcsnSteps,
        };
        var stepsPerLevel = new Option<int>("--T") { Description = "Annealed Langevin steps per level", DefaultValueFactory = _ => d.StepsPerLevel };
        var eps = new Option<string?>("--eps")
        {
            Description = "Annealed step scale eps (alpha_i = eps sigma_i^2 / sigma_L^2), or 'auto' (NCSNv2 technique 4 for --T); " +
                "default 0.1 sigma_L^2",
        };
        var noDenoise = new Option<bool>("--no-denoise") { Description = "Skip the final denoising step x + sigma_L^2 s(x, sigma_L)" };
        var stepSize = new Option<double>("--step-size")
        {
            Description = "Plain Langevin step size alpha",
            DefaultValueFactory = _ => d.LangevinStepSize,
        };
        var langevinSteps = new Option<int>("--langevin-steps")
        {
            Description = "Plain Langevin steps (also the trajectories)",
            DefaultValueFactory = _ => d.LangevinSteps,
        };
        var noise = new Option<string>("--langevin-noise")
        {
            Description = "correct (sqrt(2 alpha)), course (the report's sqrt(0.1 alpha)) or none (deterministic ascent)",
            DefaultValueFactory = _ => d.LangevinNoise,
        };
        var starts = new Option<string>("--starts") { Description = "Trajectory starting points x,y;x,y",
            DefaultValueFactory = _ => "10,20;10,-20" };
        var n = new Option<int>("--n") { Description = "Chains per sampler for the weight errors", DefaultValueFactory = _ => d.Samples };
        var quiet = new Option<bool>("--quiet") { Description = "No progress bars" };
        var command = new Command("score-toy",
            "The score-based experiments of seed 004 on a 2D Gaussian mixture: density and train/test scatter; fixed-sigma " +
            "ScoreNets at 1, 3, 7 with learned vs exact score fields and their error; deterministic vs Langevin trajectories; plain Langevin " +
            "(mass split by basins of attraction, not by the weights) vs annealed Langevin (sigma 20 -> 1, 20 levels, 50 steps: " +
            "the weights come back). Writes OUT/report.html and OUT/results.json (a few minutes on 2 cores).\n\n" +
            "Examples:\n  gensharp lab score-toy\n  gensharp lab score-toy --data toy:my-mixture.json --out runs/score-mine\n" +
            "  gensharp lab score-toy --loss ssm-vr --langevin-noise course\n  gensharp lab score-toy --sigma-max auto --eps auto --T 100");
        foreach (var o in new Option[]
        {
            data, outDir, seed, loss, hidden, layers, batch, lr, trainSize, fixedSigmas, fixedSteps, sigmaMax,
            sigmaMin, levels, ncsnSteps, stepsPerLevel, eps, noDenoise, stepSize, langevinSteps, noise, starts, n, quiet,
        })
            command.Options.Add(o);
        common.AddTo(command);
        command.SetAction(parse =>
        {
            var device = TorchRuntime.Initialize(common.Read(parse));
            string dataSpec = parse.GetValue(data)!;
            string sigmaMaxText = parse.GetValue(sigmaMax)!;
            var config = d with
            {
                Data = dataSpec,
                Seed = parse.GetValue(seed),
                Loss = parse.GetValue(loss)!,
                Network = d.Network with { Hidden = parse.GetValue(hidden), Layers = parse.GetValue(layers) },
                Batch = parse.GetValue(batch),
                Lr = parse.GetValue(lr),
                TrainSize = parse.GetValue(trainSize),
                FixedSigmas = Numbers(parse.GetValue(fixedSigmas)!, "--fixed-sigmas"),
                FixedSigmaSteps = parse.GetValue(fixedSteps),
                SigmaMax = sigmaMaxText == "auto" ? null : Numbers(sigmaMaxText, "--sigma-max").Single(),
                SigmaMin = parse.GetValue(sigmaMin),
                Levels = parse.GetValue(levels),
                NcsnSteps = parse.GetValue(ncsnSteps),
                StepsPerLevel = parse.GetValue(stepsPerLevel),
                Eps = parse.GetValue(eps) is { } e && e != "auto" ? Numbers(e, "--eps").Single() : null,
                EpsFromTechnique4 = parse.GetValue(eps) == "auto",
                FinalDenoise = !parse.GetValue(noDenoise),
                LangevinStepSize = parse.GetValue(stepSize),
                LangevinSteps = parse.GetValue(langevinSteps),
                LangevinNoise = parse.GetValue(noise)!,
                Starts = parse.GetValue(starts)!.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(p => Numbers(p, "--starts")).ToArray(),
                Samples = parse.GetValue(n),
            };
            config = config with { Network = config.Network with { DataStd = DataStd(config) } }; // measured below, stored in experiment.json
            config.Validate();
            string root = parse.GetValue(outDir) ?? Path.Combine("runs", "score-toy-" + RunNames.FromData(dataSpec));
            Directory.CreateDirectory(root);
            var w = parse.InvocationConfiguration.Output;
            w.WriteLine($"score-toy on {config.Data}: loss {config.Loss}, ScoreNet {config.Network.Hidden}x{config.Network.Layers} " +
                $"-> {Path.GetFullPath(root)}");
            var results = ScoreToyExperiments.Run(config, root, device, parse.GetValue(quiet), w);
            w.WriteLine($"wall time {results.TotalSeconds:F1} s");
            w.WriteLine($"results: {Path.Combine(Path.GetFullPath(root), "results.json")}");
            w.WriteLine($"report:  {Path.Combine(Path.GetFullPath(root), "report.html")}");
            return 0;
        });
        return command;
    }

    /// <summary>The data's overall standard deviation (root mean per-coordinate variance), for the network's input scaling.</summary>
    private static double DataStd(ScoreToyConfig config)
    {
        config.Validate();
        var mixture = GenSharp.Data.Toy.ToyRegistry.Resolve(config.Data["toy:".Length..]);
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var g = new TorchSharp.torch.Generator(12345, TorchSharp.torch.CPU);
        var x = mixture.Sample(20000, g).to_type(TorchSharp.torch.ScalarType.Float64);
        return Math.Sqrt(x.var([0]).mean().item<double>());
    }

    private static double[] Numbers(string text, string option)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var values = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
                throw new ConfigException($"{option} {text}: '{parts[i]}' is not a number");
        return values.Length > 0 ? values : throw new ConfigException($"{option}: give at least one number");
    }
}
