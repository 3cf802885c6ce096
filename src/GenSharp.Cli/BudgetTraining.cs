namespace GenSharp.Cli;

/// <summary>
/// <c>compare --train --budget B</c> (docs/evaluation.md#compare): one run of every image family on Fashion-MNIST, each trained by its own
/// <c>train</c> command with <c>--time-budget B</c> (wall time) and otherwise its defaults, so the comparison holds the budget fixed and
/// lets each family spend it as it trains. Runs that already exist are refused by <c>train</c> (never overwritten).
/// </summary>
public static class BudgetTraining
{
    /// <summary>Length options long enough that the budget, not the length, ends every run.</summary>
    /// (A constant learning rate after a short warm-up, so that a schedule over the nominal length does not decide the result.)
    private static readonly string[] StepBased =
        ["--steps", "100000", "--warmup", "100", "--lr-decay", "constant", "--eval-every", "0", "--final-eval-n", "0"];

    private static readonly string[] EpochBased = ["--epochs", "500", "--eval-n", "0", "--final-eval-n", "100"];

    /// <summary>The train command line of every family: DDPM, NCSN, the GAN with each loss, the VAE.</summary>
    public static IReadOnlyList<(string Name, string[] Args)> Families()
    {
        var families = new List<(string Name, string[] Args)>
        {
            ("ddpm", [.. new[] { "train", "ddpm", "--data", "fashion-mnist" }, .. StepBased]),
            ("ncsn", [.. new[] { "train", "ncsn", "--data", "fashion-mnist" }, .. StepBased]),
        };
        foreach (string loss in Gan.Losses.GanLosses.Names)
            families.Add(($"gan-{loss}", [.. new[] { "train", "gan", "--loss", loss }, .. EpochBased]));
        families.Add(("vae", [.. new[] { "train", "vae", "--warmup", "100", "--lr-decay", "constant" }, .. EpochBased]));
        return families;
    }

    /// <summary>Trains every family into <paramref name="runsDir"/>; returns the run directories.</summary>
    public static List<string> TrainAll(string runsDir, string budget, int threads, bool quiet, TextWriter output, TextWriter error)
    {
        var runs = new List<string>();
        foreach (var (name, args) in Families())
        {
            output.WriteLine($"compare --train: {name} for {budget}");
            string[] full = [.. args, "--runs", runsDir, "--name", name, "--time-budget", budget, "--threads", threads.ToString(), "--quiet"];
            var err = new StringWriter();
            int rc = Program.Run(full, quiet ? TextWriter.Null : output, err);
            if (rc != 0)
                throw new GenSharpException($"compare --train: {name} failed ({string.Join(" ", full)}): " +
                                            err.ToString().Trim().Split('\n').LastOrDefault(), rc);
            runs.Add(Path.Combine(runsDir, name));
        }
        return runs;
    }
}
