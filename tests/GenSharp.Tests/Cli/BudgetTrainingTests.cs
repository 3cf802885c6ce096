using GenSharp.Cli;

namespace GenSharp.Tests.Cli;

/// <summary>The train command lines <c>compare --train</c> runs parse, and cover every family and GAN loss.</summary>
public sealed class BudgetTrainingTests
{
    [Fact]
    public void EveryFamilyCommandLineParses()
    {
        var families = BudgetTraining.Families();
        Assert.Equal(["ddpm", "ncsn", .. GenSharp.Gan.Losses.GanLosses.Names.Select(l => "gan-" + l), "vae"], families.Select(f => f.Name));
        var root = Program.BuildRoot();
        foreach (var (name, args) in families)
        {
            var parse = root.Parse([.. args, "--runs", "/tmp/x", "--name", name, "--time-budget", "3m", "--threads", "1", "--quiet"]);
            Assert.True(parse.Errors.Count == 0, $"{name}: {string.Join("; ", parse.Errors.Select(e => e.Message))}");
        }
    }
}
