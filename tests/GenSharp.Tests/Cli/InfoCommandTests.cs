using System.Text.Json;
using GenSharp.Cli;

namespace GenSharp.Tests.Cli;

public sealed class InfoCommandTests
{
    [Fact]
    public void InfoJsonReportsVersionsAndDevice()
    {
        var output = new StringWriter();
        int rc = Program.Run(["info", "--json", "--threads", "2"], output, new StringWriter());
        Assert.Equal(0, rc);
        using var doc = JsonDocument.Parse(output.ToString());
        Assert.Equal("0.107.0", doc.RootElement.GetProperty("torchsharp").GetString());
        Assert.StartsWith("2.10", doc.RootElement.GetProperty("libtorch").GetString());
        Assert.Equal(2, doc.RootElement.GetProperty("threads").GetInt32());
        Assert.Equal("cpu", doc.RootElement.GetProperty("device").GetString());
    }

    [SkippableFact]
    public void CudaOnCpuMachineIsAOneLineErrorWithExitCode3()
    {
        Skip.If(TorchSharp.torch.cuda.is_available(), "only meaningful without CUDA, and CUDA is available");
        var error = new StringWriter();
        int rc = Program.Run(["info", "--device", "cuda"], new StringWriter(), error);
        Assert.Equal(3, rc);
        string text = error.ToString().Trim();
        Assert.StartsWith("error: --device cuda: CUDA is not available", text);
        Assert.DoesNotContain("\n", text);
    }
}
