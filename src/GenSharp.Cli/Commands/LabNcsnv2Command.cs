using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using GenSharp.Data;
using GenSharp.Data.Toy;
using GenSharp.Runtime;
using GenSharp.Score;
using TorchSharp;

namespace GenSharp.Cli.Commands;

/// <summary>
/// <c>gensharp lab ncsnv2</c>: the NCSNv2 technique formulas (docs/score-models.md#ncsnv2-techniques): sigma_1 from data, gamma from the
/// overlap equation, the number of levels, eps for T steps per level.
/// </summary>
public static class LabNcsnv2Command
{
    public static Command Build()
    {
        var common = new CommonOptions();
        var dim = new Option<int?>("--dim") { Description = "Data dimension D (default: from --data, else 3072 = 32x32x3)" };
        var data = new Option<string?>("--data")
        {
            Description = "Compute sigma1 (technique 1: max pairwise distance) and D from data: " +
                "fashion-mnist (pixels in [-1, 1]), an IDX folder, or toy:NAME|toy:FILE.json",
        };
        var n = new Option<int>("--n")
        {
            Description = "Points of --data used for sigma1 (toy data are sampled; images take the first N)",
            DefaultValueFactory = _ => 10000,
        };
        var sigma1 = new Option<double?>("--sigma1") { Description = "Largest noise level (default: from --data, else " +
            "50, NCSNv2's CIFAR-10 value)" };
        var sigmaL = new Option<double>("--sigmaL") { Description = "Smallest noise level", DefaultValueFactory = _ => 0.01 };
        var steps = new Option<int>("--T") { Description = "Langevin steps per noise level (chosen by budget)", DefaultValueFactory = _ => 5 };
        var overlap = new Option<double>("--C")
        {
            Description = "Overlap target of technique 2",
            DefaultValueFactory = _ => Ncsnv2Techniques.DefaultOverlap,
        };
        var levels = new Option<int?>("--levels") { Description = "Number of levels L (default: from gamma; required when D <= 4)" };
        var json = new Option<bool>("--json") { Description = "One JSON object instead of a table" };
        var command = new Command("ncsnv2", "NCSNv2's techniques as a calculator: sigma1 from the data's maximum pairwise distance, gamma from " +
            "Phi(sqrt(2D)(gamma-1)+3gamma) - Phi(sqrt(2D)(gamma-1)-3gamma) = C, the number of levels, and eps for T steps per level " +
            "(variance ratio closest to 1); EMA m = 0.999.\n\n" +
            "Examples:\n  gensharp lab ncsnv2 --dim 3072 --sigma1 50 --sigmaL 0.01 --T 5\n  gensharp lab ncsnv2 --data fashion-mnist --T 5 " +
            "--json\n  gensharp lab ncsnv2 --data toy:mog2 --sigmaL 1 --T 50 --levels 20");
        foreach (var o in new Option[] { dim, data, n, sigma1, sigmaL, steps, overlap, levels, json }) command.Options.Add(o);
        common.AddTo(command);
        command.SetAction(parse =>
        {
            TorchRuntime.Initialize(common.Read(parse));
            string? dataSpec = parse.GetValue(data);
            int? d = parse.GetValue(dim);
            double? s1 = parse.GetValue(sigma1);
            MaxDistanceEstimate? measured = null;
            if (dataSpec is not null)
            {
                int count = parse.GetValue(n);
                if (count < 2) throw new ConfigException($"--n {count}: must be at least 2");
                using var points = LoadPoints(dataSpec, count);
                measured = Ncsnv2Techniques.MaxPairwiseDistance(points);
                d ??= (int)(points.numel() / points.shape[0]);
                s1 ??= measured.Value;
            }
            var plan = Ncsnv2Plan.Make(d ?? 3072, s1 ?? 50, parse.GetValue(sigmaL), parse.GetValue(steps),
                parse.GetValue(overlap), parse.GetValue(levels));
            var w = parse.InvocationConfiguration.Output;
            var row = new Dictionary<string, object?>
            {
                ["dim"] = plan.Dimension,
                ["sigma1"] = plan.Sigma1,
                ["sigma1_source"] = measured is null ? "given"
                    : measured.Exact ? $"max pairwise distance of {dataSpec} (exact)"
                    : $"max pairwise distance of {dataSpec} (double-sweep lower bound; upper bound {measured.UpperBound:G6})",
                ["sigmaL"] = plan.SigmaL,
                ["C"] = plan.Overlap,
                ["gamma_root"] = plan.GammaRoot,
                ["levels"] = plan.Levels,
                ["gamma"] = plan.Gamma,
                ["overlap_at_gamma"] = Ncsnv2Techniques.Overlap(plan.Gamma, plan.Dimension),
                ["T"] = plan.StepsPerLevel,
                ["eps"] = plan.Eps,
                ["variance_ratio"] = plan.VarianceRatio,
                ["alpha_1"] = plan.Eps * plan.Sigma1 * plan.Sigma1 / (plan.SigmaL * plan.SigmaL),
                ["ema_decay"] = plan.EmaDecay,
            };
            if (parse.GetValue(json)) w.WriteLine(JsonSerializer.Serialize(row));
            else
                foreach (var (k, v) in row)
                    w.WriteLine($"{k,-18}{(v is double x
                        ? x.ToString("G6", CultureInfo.InvariantCulture)
                        : v?.ToString() ?? "none (D <= 4: every ratio satisfies the overlap condition)")}");
            return 0;
        });
        return command;
    }

    /// <summary>Points of a data set as (N, D) float32.</summary>
    private static torch.Tensor LoadPoints(string spec, int count)
    {
        if (spec.StartsWith("toy:", StringComparison.Ordinal))
        {
            using var g = new torch.Generator(0, torch.CPU);
            return ToyRegistry.Resolve(spec["toy:".Length..]).Sample(count, g);
        }
        string? dir = spec == "fashion-mnist" ? null : spec;
        using var set = FashionMnist.Load(FashionMnistSplit.Train, dir, PixelRange.MinusOneToOne, limit: count);
        return set.Images.reshape(set.Count, -1).clone();
    }
}
