using GenSharp.Training;

namespace GenSharp.Tests.Training;

public sealed class MetricsLogTests
{
    [Fact]
    public void AppendReadAndTruncateAfterStep()
    {
        string dir = TestTemp.Directory("gensharp-metrics").FullName;
        var log = new MetricsLog(Path.Combine(dir, "metrics.jsonl"));
        for (int step = 10; step <= 50; step += 10)
            log.Append(new Dictionary<string, object?> { ["step"] = step, ["loss"] = 1.0 / step });
        File.AppendAllText(log.Path, "{\"step\": 60, \"loss\""); // a torn line from a killed process

        var (steps, losses) = log.Series("loss");
        Assert.Equal([10.0, 20, 30, 40, 50], steps);
        Assert.Equal(1.0 / 30, losses[2], 12);

        log.TruncateAfter(30);
        Assert.Equal([10.0, 20, 30], log.Series("loss").Steps);
        Directory.Delete(dir, recursive: true);
    }
}
