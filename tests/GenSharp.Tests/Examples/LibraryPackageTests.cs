using System.Text.Json;
using GenSharp.Tests.Runtime;
using Xunit.Abstractions;

namespace GenSharp.Tests.Examples;

/// <summary>
/// The `GenSharp` library package used as docs/api.md#getting-it says: a fresh project outside the checkout (none of its
/// Directory.Build.props or central package versions apply) takes `PackageReference Include="GenSharp"` from a folder feed, builds
/// examples/ToyDdpm's program against it and runs it. That proves the package is complete for a user (its dependencies resolve,
/// `buildTransitive/GenSharp.targets` patches the consumer's copy of libLibTorchSharp.so so it loads on Debian 12, and the
/// committed feature network lands in the output), not only that it contains the expected files.
/// </summary>
[Collection("packages")] // both pack src/GenSharp with --no-build; never at the same time
[Trait("Category", "Slow")]
public sealed class LibraryPackageTests(ITestOutputHelper output)
{
    private const ushort VerFlgWeak = 2;

    [SkippableFact]
    public void AProjectOutsideTheCheckoutBuildsAndRunsAgainstThePackedLibrary()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "the package carries linux-x64 libtorch only");
        string root = TestTemp.Directory("gensharp-consumer").FullName;
        string feed = Path.Combine(root, "feed");
        // a version of its own, so that NuGet's global package cache never hands back an older pack of 0.1.0
        string version = $"0.1.0-consumer.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        string cached = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages", "gensharp", version);
        try
        {
            var pack = RepositoryTool.Run("dotnet", ["pack", "src/GenSharp/GenSharp.csproj", "-c", RepositoryTool.Configuration, "--no-build",
                "-o", feed, "--nologo", $"-p:PackageVersion={version}"]);
            Assert.True(pack.ExitCode == 0, pack.Out + pack.Err);

            string project = Path.Combine(root, "consumer");
            Directory.CreateDirectory(project);
            File.Copy(Path.Combine(RepositoryTool.Root, "examples", "ToyDdpm", "Program.cs"), Path.Combine(project, "Program.cs"));
            File.WriteAllText(Path.Combine(project, "Consumer.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <RuntimeIdentifier>linux-x64</RuntimeIdentifier>
                    <SelfContained>false</SelfContained>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="GenSharp" Version="{version}" />
                  </ItemGroup>
                </Project>
                """);
            // the folder feed beside the machine's usual sources (GenSharp's own dependencies come from there, or its cache)
            File.WriteAllText(Path.Combine(project, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration><packageSources><add key="gensharp-feed" value="{feed}" /></packageSources></configuration>
                """);
            string bin = Path.Combine(project, "out");
            var build = RepositoryTool.Run("dotnet", ["build", "Consumer.csproj", "-c", "Release", "-o", bin,
                "--nologo"], workingDirectory: project);
            Assert.True(build.ExitCode == 0, build.Out + build.Err);
            output.WriteLine($"dotnet build of a consumer of GenSharp {version}: {build.Seconds:F1} s");

            string shim = Directory.GetFiles(bin, "libLibTorchSharp.so", SearchOption.AllDirectories).Single();
            var (_, _, flags) = Assert.Single(LibTorchSharpPatchTests.VersionNeeds(File.ReadAllBytes(shim)), n => n.Name == "GLIBCXX_3.4.32");
            Assert.True((flags & VerFlgWeak) != 0, $"{shim}: the package's build step did not mark GLIBCXX_3.4.32 weak");
            Assert.True(File.Exists(Path.Combine(bin, "models", "fmnist-features-v1.safetensors")), "the feature network is not in the output");

            string run = Path.Combine(root, "runs", "toy");
            var result = RepositoryTool.Run("dotnet", [Path.Combine(bin, "Consumer.dll"), run, "300", "100"], workingDirectory: project);
            Assert.True(result.ExitCode == 0, result.Out + result.Err);
            output.WriteLine($"the consumer's toy DDPM (300 steps, T = 100): {result.Seconds:F1} s");
            using var eval = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "eval.json")));
            // as ExampleProgramsTests asserts for the same program built from the checkout: a usable model of the 0.7/0.3 mixture
            Assert.InRange(eval.RootElement.GetProperty("metrics").GetProperty("weight_error_max").GetDouble(), 0, 0.1);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
            if (Directory.Exists(cached)) Directory.Delete(cached, recursive: true);
        }
    }
}
