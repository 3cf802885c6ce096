using System.IO.Compression;
using System.Text.Json;
using GenSharp.Tests.Runtime;
using Xunit.Abstractions;

namespace GenSharp.Tests.Examples;

/// <summary>
/// `dotnet pack` makes the GenSharp library and the GenSharp.Tool packages; the tool installs from a local folder feed with
/// `dotnet tool install --tool-path` and runs `gensharp info` and the demo (a 2D DDPM trained, sampled and scored) from there. This is what
/// proves the Debian load fix (GLIBCXX_3.4.32 marked weak in libLibTorchSharp.so, DEVELOPERS.md) travels inside the package: the
/// installed tool
/// loads libtorch from its own folder, not from the repository's build output.
/// </summary>
[Collection("packages")] // both pack src/GenSharp with --no-build; never at the same time
[Trait("Category", "Slow")]
public sealed class PackagesTests(ITestOutputHelper output)
{
    private const ushort VerFlgWeak = 2;

    [SkippableFact]
    public void PackedToolInstallsAndTrainsFromALocalFeed()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "the packages carry linux-x64 libtorch only");
        string root = TestTemp.Directory("gensharp-pack").FullName;
        string feed = Path.Combine(root, "feed");
        foreach (string project in new[] { "src/GenSharp/GenSharp.csproj", "src/GenSharp.Cli/GenSharp.Cli.csproj" })
        {
            var pack = RepositoryTool.Run("dotnet", ["pack", project, "-c", RepositoryTool.Configuration, "--no-build", "-o", feed, "--nologo"]);
            Assert.True(pack.ExitCode == 0, pack.Out + pack.Err);
            output.WriteLine($"dotnet pack {project}: {pack.Seconds:F1} s");
        }

        string library = Directory.GetFiles(feed, "GenSharp.0*.nupkg").Single();
        using (var zip = ZipFile.OpenRead(library))
        {
            var names = zip.Entries.Select(e => e.FullName).ToHashSet();
            foreach (string expected in new[] { "lib/net10.0/GenSharp.dll", "lib/net10.0/GenSharp.xml", "README.md",
                         "buildTransitive/GenSharp.targets",
                         "contentFiles/any/any/models/fmnist-features-v1.safetensors" })
                Assert.True(names.Contains(expected), $"{Path.GetFileName(library)} lacks {expected}");
        }
        string tool = Directory.GetFiles(feed, "GenSharp.Tool.*.nupkg").Single();
        output.WriteLine($"{Path.GetFileName(library)}: {new FileInfo(library).Length / 1e6:F1} MB; {Path.GetFileName(tool)}: " +
            $"{new FileInfo(tool).Length / 1e6:F1} MB");
        using (var zip = ZipFile.OpenRead(tool))
        {
            var shim = zip.Entries.Single(e => e.FullName.EndsWith("/libLibTorchSharp.so", StringComparison.Ordinal));
            using var stream = new MemoryStream();
            using (var s = shim.Open()) s.CopyTo(stream);
            AssertWeak(stream.ToArray(), $"{Path.GetFileName(tool)}:{shim.FullName}");
            Assert.Contains(zip.Entries, e => e.FullName.EndsWith("models/fmnist-features-v1.safetensors", StringComparison.Ordinal));
        }

        // install from the folder feed alone (no other source), as a fresh machine would from a copied feed
        string config = Path.Combine(root, "nuget.config");
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration><packageSources><clear /><add key="local" value="{feed}" /></packageSources></configuration>
            """);
        string toolPath = Path.Combine(root, "tools");
        var install = RepositoryTool.Run("dotnet", ["tool", "install", "GenSharp.Tool", "--tool-path", toolPath, "--configfile", config],
            workingDirectory: root);
        Assert.True(install.ExitCode == 0, install.Out + install.Err);
        output.WriteLine($"dotnet tool install: {install.Seconds:F1} s");
        string installed = Directory.GetFiles(toolPath, "libLibTorchSharp.so", SearchOption.AllDirectories).Single();
        AssertWeak(File.ReadAllBytes(installed), installed);

        string gensharp = Path.Combine(toolPath, "gensharp");
        var info = RepositoryTool.Run(gensharp, ["info", "--json"], workingDirectory: root);
        Assert.True(info.ExitCode == 0, info.Out + info.Err);
        using (var json = JsonDocument.Parse(info.Out))
        {
            Assert.Equal("0.107.0", json.RootElement.GetProperty("torchsharp").GetString());
            Assert.StartsWith("2.10", json.RootElement.GetProperty("libtorch").GetString());
        }
        output.WriteLine($"gensharp info: {info.Seconds:F1} s");

        // the acceptance of docs/api.md#install: a fresh machine installs the tool from the feed and runs the demo (train, sample, score)
        string demo = Path.Combine(root, "demo");
        // one thread: the suite runs other tests beside this one, and two spinning OpenMP threads on two busy cores crawl
        var run = RepositoryTool.Run(gensharp, ["demo", "--out", demo, "--threads", "1", "--quiet"], workingDirectory: root,
            timeout: TimeSpan.FromMinutes(25));
        Assert.True(run.ExitCode == 0, run.Out + run.Err);
        Assert.Contains("PASS", run.Out);
        output.WriteLine($"gensharp demo from the installed tool: {run.Seconds:F1} s");
        Assert.True(File.Exists(Path.Combine(demo, "report.html")) && File.Exists(Path.Combine(demo, "eval.json")));
        Directory.Delete(root, recursive: true);
    }

    private static void AssertWeak(byte[] elf, string where)
    {
        var (_, _, flags) = Assert.Single(LibTorchSharpPatchTests.VersionNeeds(elf), n => n.Name == "GLIBCXX_3.4.32");
        Assert.True((flags & VerFlgWeak) != 0, $"{where}: GLIBCXX_3.4.32 is not marked weak");
    }
}
