using System.Text.Json;

namespace GenSharp.Tests.Cli;

public sealed class BenchCommandTests
{
    [Fact]
    public void ToyStepPrintsAJsonLineWithMeasuredTimes()
    {
        var (rc, output, err) = CliRunner.Run("bench", "toy-step", "--steps", "3", "--warmup", "1", "--batch", "16", "--hidden", "16",
            "--sample-n", "8", "--json");
        Assert.True(rc == 0, err);
        using var doc = JsonDocument.Parse(output);
        var r = doc.RootElement;
        Assert.True(r.GetProperty("median_step_s").GetDouble() > 0);
        Assert.True(r.GetProperty("samples_per_s").GetDouble() > 0);
        Assert.Equal(1000, r.GetProperty("function_evaluations").GetInt32());
        Assert.Equal(16, r.GetProperty("batch").GetInt32());
    }
}
