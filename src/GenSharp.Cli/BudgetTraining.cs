using System.Globalization;
using System.Text.Json;
using GenSharp.Training;

namespace GenSharp.Cli;

/// <summary>
/// <c>compare --train --budget B</c> (docs/evaluation.md#compare): one run of every image family on Fashion-MNIST, each trained by its own
/// <c>train</c> command with <c>--cpu-budget B</c> (the process's CPU time, which other work on a shared machine does not shrink, unlike
/// wall time) and otherwise its defaults, so the comparison holds the budget fixed and lets each family spend it as it trains. Latent
/// diffusion spends its budget in two halves: its autoencoder (a spatial-latent VAE), then the diffusion model on that autoencoder's latents.
/// Running the same command again resumes: a run that used its budget stops at once, an interrupted one continues from its last
/// checkpoint (the budget counts over every session), and a run made with another budget is refused rather than mixed into the table.
/// </summary>
public static class BudgetTraining
{
    /// <summary>Length options long enough that the budget, not the length, ends every run.</summary>
    /// (A constant learning rate after a short warm-up, so that a schedule over the nominal length does not decide the result;
    /// checkpoints every 200 steps, so that an interrupted run loses little when it resumes.)
    private static readonly string[] StepBased =
        ["--steps", "100000", "--warmup", "100", "--lr-decay", "constant", "--eval-every", "0", "--final-eval-n", "0", "--checkpoint-every", "200"];

    private static readonly string[] EpochBased = ["--epochs", "500", "--eval-n", "0", "--final-eval-n", "100", "--checkpoint-every", "200"];

    /// <summary>The autoencoder latent diffusion trains on: a 4 x 7 x 7 latent with a small KL weight (docs/latent-diffusion.md).</summary>
    public const string LatentAutoencoder = "ldm-autoencoder";

    /// <summary>One family's run: its name, its train command line, its share of the budget, and whether <c>compare</c> scores it.</summary>
    public sealed record Family(string Name, string[] Args, double BudgetShare = 1, bool Compared = true);

    /// <summary>The train command line of every family: DDPM, NCSN, the GAN with each loss, the VAE, latent diffusion and VDM.</summary>
    /// <param name="runsDir">where the runs go (latent diffusion names its autoencoder's run there)</param>
    public static IReadOnlyList<Family> Families(string runsDir)
    {
        var families = new List<Family>
        {
            new("ddpm", [.. new[] { "train", "ddpm", "--data", "fashion-mnist" }, .. StepBased]),
            new("ncsn", [.. new[] { "train", "ncsn", "--data", "fashion-mnist" }, .. StepBased]),
        };
        foreach (string loss in Gan.Losses.GanLosses.Names)
            families.Add(new($"gan-{loss}", [.. new[] { "train", "gan", "--loss", loss }, .. EpochBased]));
        families.Add(new("vae", [.. new[] { "train", "vae", "--warmup", "100", "--lr-decay", "constant" }, .. EpochBased]));
        families.Add(new(LatentAutoencoder, [.. new[] { "train", "vae", "--latent-dim", "0", "--latent-channels", "4", "--kl-weight", "0.1",
            "--warmup", "100", "--lr-decay", "constant" }, .. EpochBased], BudgetShare: 0.5, Compared: false));
        families.Add(new("ldm", [.. new[] { "train", "ldm", "--autoencoder", Path.Combine(runsDir, LatentAutoencoder), "--data", "fashion-mnist" },
            .. StepBased], BudgetShare: 0.5));
        families.Add(new("vdm", [.. new[] { "train", "vdm", "--data", "fashion-mnist" }, .. StepBased]));
        return families;
    }

    /// <summary>Trains (or resumes) every family into <paramref name="runsDir"/>; returns the run directories to compare.</summary>
    public static List<string> TrainAll(string runsDir, string budget, int threads, bool quiet, TextWriter output, TextWriter error)
    {
        double total = Durations.ParseSeconds(budget, "--budget");
        var runs = new List<string>();
        foreach (var family in Families(runsDir))
        {
            string dir = Path.Combine(runsDir, family.Name);
            double seconds = total * family.BudgetShare;
            bool resume = IsStarted(dir, seconds);
            output.WriteLine($"compare --train: {family.Name} for {Durations.Format(seconds)}{(resume ? " (resuming)" : "")}");
            string[] run = ["--runs", runsDir, "--name", family.Name, "--threads", threads.ToString(CultureInfo.InvariantCulture), "--quiet"];
            string[] full = resume
                ? [.. family.Args.Take(2), .. run, "--resume"]
                : [.. family.Args, .. run, "--cpu-budget", seconds.ToString("0.###", CultureInfo.InvariantCulture) + "s"];
            var err = new StringWriter();
            int rc = Program.Run(full, quiet ? TextWriter.Null : output, err);
            if (rc != 0)
                throw new GenSharpException($"compare --train: {family.Name} failed ({string.Join(" ", full)}): " +
                                            err.ToString().Trim().Split('\n').LastOrDefault(), rc);
            if (family.Compared) runs.Add(dir);
        }
        return runs;
    }

    /// <summary>
    /// Whether the run in <paramref name="dir"/> exists and is to be resumed; it must have been started with the same budget
    /// (<paramref name="seconds"/>), else the one-line error says so.
    /// </summary>
    public static bool IsStarted(string dir, double seconds)
    {
        string config = Path.Combine(dir, "config.json");
        if (!File.Exists(config))
        {
            if (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any())
                throw new ConfigException($"compare --train: {dir} exists but holds no config.json; remove it or choose another --out");
            return false;
        }
        double? recorded = null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(config));
            if (doc.RootElement.TryGetProperty("training", out var t) && t.TryGetProperty("cpu_budget_seconds", out var b)) recorded = b.GetDouble();
        }
        catch (JsonException e)
        {
            throw new ConfigException($"compare --train: {config} is not valid JSON ({e.Message}); remove the run or choose another --out");
        }
        if (recorded is not { } r || Math.Abs(r - seconds) > 1e-3)
            throw new ConfigException($"compare --train: {dir} was trained with a CPU budget of " +
                                      (recorded is { } x && x > 0 ? Durations.Format(x) : "none") +
                                      $", not {Durations.Format(seconds)}; give the same --budget to resume it, or choose another --out");
        return true;
    }
}
