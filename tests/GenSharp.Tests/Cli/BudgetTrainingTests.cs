using GenSharp.Cli;

namespace GenSharp.Tests.Cli;

/// <summary>
/// The train command lines <c>compare --train</c> runs parse and cover every family and GAN loss; re-running it resumes runs made with
/// the same budget and refuses the others.
/// </summary>
public sealed class BudgetTrainingTests
{
    [Fact]
    public void EveryFamilyCommandLineParses()
    {
        var families = BudgetTraining.Families("/tmp/x");
        Assert.Equal(["ddpm", "ncsn", .. GenSharp.Gan.Losses.GanLosses.Names.Select(l => "gan-" + l), "vae", BudgetTraining.LatentAutoencoder,
            "ldm", "vdm"], families.Select(f => f.Name));
        var root = Program.BuildRoot();
        foreach (var f in families)
        {
            var parse = root.Parse([.. f.Args, "--runs", "/tmp/x", "--name", f.Name, "--cpu-budget", "900s", "--threads", "1", "--quiet"]);
            Assert.True(parse.Errors.Count == 0, $"{f.Name}: {string.Join("; ", parse.Errors.Select(e => e.Message))}");
            var resume = root.Parse([.. f.Args.Take(2), "--runs", "/tmp/x", "--name", f.Name, "--threads", "1", "--quiet", "--resume"]);
            Assert.True(resume.Errors.Count == 0, $"{f.Name} --resume: {string.Join("; ", resume.Errors.Select(e => e.Message))}");
        }
        // Latent diffusion spends the budget in two halves, and its autoencoder is a means, not a row of the table.
        Assert.Equal(1.0, families.Where(f => f.Name is "ldm" or BudgetTraining.LatentAutoencoder).Sum(f => f.BudgetShare));
        Assert.Equal([BudgetTraining.LatentAutoencoder], families.Where(f => !f.Compared).Select(f => f.Name));
        Assert.Contains(Path.Combine("/tmp/x", BudgetTraining.LatentAutoencoder), families.Single(f => f.Name == "ldm").Args);
    }

    [Fact]
    public void AnExistingRunResumesOnlyWithItsOwnBudget()
    {
        var root = TestTemp.Directory("gensharp-budget-resume");
        string run = Path.Combine(root.FullName, "ddpm");
        Assert.False(BudgetTraining.IsStarted(run, 1800)); // nothing there yet: train it
        Directory.CreateDirectory(run);
        Assert.False(BudgetTraining.IsStarted(run, 1800)); // an empty folder is no run either
        File.WriteAllText(Path.Combine(run, "config.json"), """{ "model": "ddpm-fmnist", "training": { "cpu_budget_seconds": 1800 } }""");
        Assert.True(BudgetTraining.IsStarted(run, 1800));
        var other = Assert.Throws<ConfigException>(() => BudgetTraining.IsStarted(run, 600));
        Assert.Contains("CPU budget of 30 min, not 10 min", other.Message);
        File.WriteAllText(Path.Combine(run, "config.json"), """{ "model": "ddpm-fmnist", "training": { "steps": 10 } }""");
        Assert.Contains("CPU budget of none", Assert.Throws<ConfigException>(() => BudgetTraining.IsStarted(run, 1800)).Message);
        File.WriteAllText(Path.Combine(run, "config.json"), "{ not json");
        Assert.Contains("not valid JSON", Assert.Throws<ConfigException>(() => BudgetTraining.IsStarted(run, 1800)).Message);
        File.Delete(Path.Combine(run, "config.json"));
        File.WriteAllText(Path.Combine(run, "notes.txt"), "mine");
        Assert.Contains("holds no config.json", Assert.Throws<ConfigException>(() => BudgetTraining.IsStarted(run, 1800)).Message);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(run, "notes.txt"))); // nothing on disk is touched
    }
}
