using System.Text.Json;
using GenSharp.Pipelines;

namespace GenSharp.Tests.Cli;

/// <summary>
/// <c>gensharp compare</c> on three tiny runs (a one-epoch GAN, a one-epoch VAE and a 10-step class-conditional DDPM) writes every column,
/// the grids and the report; the conditional run, and only it, gets a conditional accuracy, and its <c>sample</c> folder a labels.csv.
/// </summary>
[Collection("training")]
[Trait("Category", "Slow")]
public sealed class CompareCliTests
{
    [Fact]
    public void CompareOnTwoTinyRunsWritesEveryColumn()
    {
        string runs = TestTemp.Directory("gensharp-compare").FullName;
        var gan = CliRunner.Run("train", "gan", "--runs", runs, "--name", "g", "--loss", "ns", "--train-limit", "64", "--batch", "16",
            "--epochs", "1", "--eval-n", "0", "--final-eval-n", "100", "--threads", "1", "--quiet");
        Assert.True(gan.ExitCode == 0, gan.Err);
        var vae = CliRunner.Run("train", "vae", "--runs", runs, "--name", "v", "--train-limit", "64", "--test-limit", "100", "--batch", "16",
            "--epochs", "1", "--eval-n", "0", "--final-eval-n", "100", "--threads", "1", "--quiet");
        Assert.True(vae.ExitCode == 0, vae.Err);
        var ddpm = CliRunner.Run("train", "ddpm", "--data", "fashion-mnist", "--condition", "class", "--runs", runs, "--name", "c", "--ch", "16",
            "--mults", "1,2", "--attn", "none", "--steps", "10", "--batch", "16", "--timesteps", "50", "--sampler-steps", "5", "--eval-every", "0",
            "--sample-every", "10", "--checkpoint-every", "10", "--final-eval-n", "0", "--threads", "1", "--quiet");
        Assert.True(ddpm.ExitCode == 0, ddpm.Err);
        string drawn = Path.Combine(runs, "drawn");
        var sample = CliRunner.Run("sample", Path.Combine(runs, "c"), "--n", "7", "--output", drawn, "--threads", "1", "--quiet");
        Assert.True(sample.ExitCode == 0, sample.Err);
        var labels = File.ReadAllLines(Path.Combine(drawn, "labels.csv"));
        Assert.Equal("file,label", labels[0]);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"{i:D6}.png"), labels.Skip(1).Select(l => l.Split(',')[0]));
        Assert.All(labels.Skip(1), l => Assert.InRange(int.Parse(l.Split(',')[1]), 0, 9));          // a real class, never the null label

        string output = Path.Combine(runs, "cmp");
        var r = CliRunner.Run("compare", Path.Combine(runs, "g"), Path.Combine(runs, "v"), Path.Combine(runs, "c"), "--n", "100",
            "--seed", "3", "--out", output,
            "--threads", "1", "--quiet");
        Assert.True(r.ExitCode == 0, r.Err + r.Out);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "compare.json")));
        var rows = json.RootElement.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(["g", "v", "c"], rows.Select(x => x.GetProperty("run").GetString()));
        foreach (var row in rows)
        {
            foreach (string column in RunComparison.Columns.Where(c => c != "conditional_accuracy"))
                Assert.True(row.GetProperty(column).ValueKind == JsonValueKind.Number, $"{row.GetProperty("run")}: {column} missing");
            bool conditional = row.GetProperty("run").GetString() == "c";
            var accuracy = row.GetProperty("conditional_accuracy");
            if (conditional) Assert.InRange(accuracy.GetDouble(), 0, 1);                                  // the classifier vs the drawn class
            else Assert.Equal(JsonValueKind.Null, accuracy.ValueKind);                                    // GAN and VAE are unconditional
            Assert.True(row.GetProperty("fd").GetDouble() > row.GetProperty("fd_floor").GetDouble());
            double c2st = row.GetProperty("c2st_accuracy").GetDouble();
            Assert.InRange(c2st, 0, 1);
            Assert.Equal(conditional ? 5 : 1, row.GetProperty("function_evaluations").GetDouble());
            Assert.True(row.GetProperty("parameters").GetInt64() > 1000);
            Assert.True(File.Exists(Path.Combine(output, row.GetProperty("grid").GetString()!)));
        }
        Assert.NotEmpty(json.RootElement.GetProperty("pareto_front").EnumerateArray());
        Assert.True(File.Exists(Path.Combine(output, "compare.html")) && File.Exists(Path.Combine(output, "trilemma.png")));

        var again = CliRunner.Run("compare", Path.Combine(runs, "g"), "--n", "100", "--out", output);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("already holds compare.json", again.Err);
        var trainWithRuns = CliRunner.Run("compare", "--train", Path.Combine(runs, "g"), "--out", Path.Combine(runs, "cmp2"));
        Assert.Equal(2, trainWithRuns.ExitCode);
        Assert.Contains("name no RUN_DIR", trainWithRuns.Err);
    }
}
