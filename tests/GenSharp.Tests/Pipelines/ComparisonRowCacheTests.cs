using GenSharp.Pipelines;
using GenSharp.Training;

namespace GenSharp.Tests.Pipelines;

/// <summary>
/// An interrupted <c>compare</c> keeps each scored row (<see cref="ComparisonRowCache"/>, docs/evaluation.md#compare): a kept row comes back
/// with the values and types the report reads, and is scored again when the run has a newer checkpoint, when n or seed differ, when its
/// grid is gone, or when the file is damaged.
/// </summary>
public sealed class ComparisonRowCacheTests
{
    private static (RunDirectory Run, CompareRequest Request) Setup()
    {
        var root = TestTemp.Directory("gensharp-compare-rows");
        var run = RunDirectory.Create(Path.Combine(root.FullName, "runs", "gan"));
        File.WriteAllBytes(Path.Combine(run.CheckpointsDir, "step-00000010.safetensors"), [1, 2, 3]);
        var request = new CompareRequest(100, 3, Path.Combine(root.FullName, "cmp"));
        Directory.CreateDirectory(request.Output);
        File.WriteAllBytes(Path.Combine(request.Output, "gan-grid.png"), [0]);
        return (run, request);
    }

    private static Dictionary<string, object?> Row() => new()
    {
        ["run"] = "gan", ["model"] = "gan-fmnist", ["fd"] = 3.25, ["fd_floor"] = 12.0, ["kid"] = null, ["function_evaluations"] = 1,
        ["parameters"] = 1_654_121L, ["c2st_accuracy"] = 0.61, ["grid"] = "gan-grid.png",
    };

    [Fact]
    public void AKeptRowComesBackWithTheReportsTypes()
    {
        var (run, request) = Setup();
        string key = ComparisonRowCache.Key(run, request);
        ComparisonRowCache.Write(request, "gan", key, Row());
        var kept = ComparisonRowCache.TryRead(request, "gan", key);
        Assert.NotNull(kept);
        Assert.Equal(3.25, Assert.IsType<double>(kept["fd"]));
        Assert.Equal(12.0, Convert.ToDouble(kept["fd_floor"]));  // written as 12: a whole number, read back as long; the report takes both
        Assert.Null(kept["kid"]);
        Assert.Equal(1L, Assert.IsType<long>(kept["function_evaluations"]));
        Assert.Equal(1_654_121L, Assert.IsType<long>(kept["parameters"]));
        Assert.Equal("gan-fmnist", kept["model"]);
        Assert.Equal(Row().Keys.OrderBy(k => k), kept.Keys.OrderBy(k => k));
    }

    [Fact]
    public void ARowIsScoredAgainWhenWhatItWasScoredFromChanged()
    {
        var (run, request) = Setup();
        ComparisonRowCache.Write(request, "gan", ComparisonRowCache.Key(run, request), Row());
        Assert.Null(ComparisonRowCache.TryRead(request, "gan", ComparisonRowCache.Key(run, request with { N = 200 })));
        Assert.Null(ComparisonRowCache.TryRead(request, "gan", ComparisonRowCache.Key(run, request with { Seed = 4 })));
        Assert.Null(ComparisonRowCache.TryRead(request, "other", ComparisonRowCache.Key(run, request)));

        File.WriteAllBytes(Path.Combine(run.CheckpointsDir, "step-00000020.safetensors"), [1, 2, 3]); // the run trained on
        Assert.Null(ComparisonRowCache.TryRead(request, "gan", ComparisonRowCache.Key(run, request)));
        File.Delete(Path.Combine(run.CheckpointsDir, "step-00000020.safetensors"));
        Assert.NotNull(ComparisonRowCache.TryRead(request, "gan", ComparisonRowCache.Key(run, request)));

        File.Delete(Path.Combine(request.Output, "gan-grid.png"));
        Assert.Null(ComparisonRowCache.TryRead(request, "gan", ComparisonRowCache.Key(run, request)));
    }

    [Fact]
    public void ADamagedRowIsScoredAgain()
    {
        var (run, request) = Setup();
        string key = ComparisonRowCache.Key(run, request);
        ComparisonRowCache.Write(request, "gan", key, Row());
        string path = Path.Combine(request.Output, "rows", "gan.json");
        File.WriteAllText(path, File.ReadAllText(path)[..40]);
        Assert.Null(ComparisonRowCache.TryRead(request, "gan", key));
        File.WriteAllText(path, "[1, 2]");
        Assert.Null(ComparisonRowCache.TryRead(request, "gan", key));
    }
}
