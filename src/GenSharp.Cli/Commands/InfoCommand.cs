using System.CommandLine;
using System.Text.Json;
using GenSharp.Data;
using GenSharp.Runtime;
using TorchSharp;

namespace GenSharp.Cli.Commands;

/// <summary><c>gensharp info</c>: versions, threads, device and data availability.</summary>
public static class InfoCommand
{
    public static Command Build()
    {
        var common = new CommonOptions();
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table" };
        var data = new Option<string>("--data")
        {
            Description = "Where to look for Fashion-MNIST: a folder holding its IDX files, or fashion-mnist[:DIR]",
            DefaultValueFactory = _ => FashionMnist.DefaultDirectory,
        };
        var command = new Command("info",
            "Show GenSharp, TorchSharp and libtorch versions, threads, device and whether Fashion-MNIST was found.\n\n" +
            "Examples:\n  gensharp info\n  gensharp info --json --threads 2");
        common.AddTo(command);
        command.Options.Add(json);
        command.Options.Add(data);
        command.SetAction(parse =>
        {
            var compute = common.Read(parse);
            var device = TorchRuntime.Initialize(compute);
            string dataDir = DataSpec.FashionMnistDirectory(parse.GetValue(data)) ?? FashionMnist.DefaultDirectory;
            var info = new Dictionary<string, object?>
            {
                ["gensharp"] = TorchRuntime.GenSharpVersion,
                ["torchsharp"] = TorchRuntime.TorchSharpVersion,
                ["libtorch"] = TorchRuntime.LibTorchVersion,
                ["threads"] = torch.get_num_threads(),
                ["device"] = device.ToString(),
                ["cuda_available"] = torch.cuda.is_available(),
                ["malloc_tuned"] = NativeMemory.Tuned,
                ["omp_wait"] = OpenMpWaitPolicy.Applied ?? "libgomp default",
                ["fashion_mnist"] = FashionMnist.IsAvailable(dataDir) ? dataDir : null,
                ["fashion_mnist_found"] = FashionMnist.IsAvailable(dataDir),
                ["dotnet"] = Environment.Version.ToString(),
                ["os"] = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
            };
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
                output.WriteLine(JsonSerializer.Serialize(info));
            else
                foreach (var (k, v) in info)
                    output.WriteLine($"{k,-20}{v ?? "not found (apt-get install -y dataset-fashion-mnist, or --data DIR)"}");
            return 0;
        });
        return command;
    }
}
