// The Fréchet distance between two folders of 28x28 grey PNG images, in the feature space of the committed Fashion-MNIST
// classifier (docs/evaluation.md#frechet-distance), with KID and precision/recall beside it. Usage: FolderFd DIR_A DIR_B
using GenSharp;
using GenSharp.Data;
using GenSharp.Evaluation;
using GenSharp.Runtime;
using static TorchSharp.torch;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: FolderFd DIR_A DIR_B");
    return 2;
}

try
{
    var device = TorchRuntime.Initialize(new ComputeOptions(Device: "cpu", Threads: 1));
    using var scope = NewDisposeScope(); // every tensor made below is freed at the end of the block

    // the committed feature network (models/fmnist-features-v1.safetensors, checked against its SHA-256)
    using var extractor = FeatureExtractor.Load(device: device);
    using var a = PngFolder.Load(args[0], channels: 1); // images in [-1, 1], shape (N, 1, 28, 28)
    using var b = PngFolder.Load(args[1], channels: 1);

    // FD alone: features, then ||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^1/2)
    var (featuresA, _) = extractor.Extract(a.Images);
    var (featuresB, _) = extractor.Extract(b.Images);
    double fd = FrechetDistance.Compute(featuresA, featuresB);
    Console.WriteLine($"FD {fd.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}");

    // every image metric at once (B scored as the generated set against A)
    var report = ImageMetrics.Compute(extractor, a.Images, b.Images);
    Console.WriteLine($"n_a {report.NReal}, n_b {report.NGenerated}, features {report.Extractor}");
    foreach (var (name, value) in report.ToDictionary()) Console.WriteLine($"{name,-18} {value:G5}");
    return 0;
}
catch (GenSharpException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return e.ExitCode;
}
