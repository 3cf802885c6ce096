using GenSharp.Training;

namespace GenSharp.Tests.Training;

public sealed class RunDirectoryTests
{
    [Fact]
    public void CreateMakesTheLayoutAndRefusesToReuseARun()
    {
        string root = Path.Combine(TestTemp.Directory("gensharp-run").FullName, "r1");
        var run = RunDirectory.Create(root);
        Assert.True(Directory.Exists(run.CheckpointsDir));
        Assert.True(Directory.Exists(run.SamplesDir));
        Assert.True(Directory.Exists(run.PlotsDir));
        File.WriteAllText(run.ConfigPath, "{\"model\": \"x\"}");

        var e = Assert.Throws<ConfigException>(() => RunDirectory.Create(root));
        Assert.Contains("--resume", e.Message);
        Assert.Equal("{\"model\": \"x\"}", File.ReadAllText(run.ConfigPath)); // nothing lost
        Assert.Equal(run.Root, RunDirectory.Open(root).Root);
        Assert.Equal(Path.Combine(run.CheckpointsDir, "step-00001234.safetensors"), run.CheckpointPath(1234));
    }

    [Fact]
    public void OpenOfAMissingOrForeignFolderIsAClearError()
    {
        string dir = TestTemp.Directory("gensharp-run").FullName;
        Assert.Contains("does not exist", Assert.Throws<ConfigException>(() => RunDirectory.Open(Path.Combine(dir, "nope"))).Message);
        Assert.Contains("not a GenSharp run", Assert.Throws<ConfigException>(() => RunDirectory.Open(dir)).Message);
    }
}
