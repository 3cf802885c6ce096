using GenSharp.Data;
using GenSharp.Output;
using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Vae;

/// <summary>The VAE's figures: prior samples, test images above their reconstructions, and decoded straight lines between the latent means of
/// test-image pairs.</summary>
internal static class VaeFigures
{
    public const string SamplesPng = "samples.png";
    public const string ReconstructionsPng = "reconstructions.png";
    public const string InterpolationPng = "interpolation.png";
    public const string ClassHistogramPng = "class-histogram.png";

    public static void Write(RunDirectory run, VariationalAutoencoder vae, ImageDataset test, Tensor samples, long seed, Device device)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        vae.eval();
        ImageGrid.Save(samples.narrow(0, 0, Math.Min(100, samples.shape[0])), Path.Combine(run.PlotsDir, SamplesPng), columns: 10, scale: 2);

        // reconstructions: the decoder's mean at the encoder's mean
        var x = test.Images.narrow(0, 0, 12).to(device);
        var (mu, _) = vae.Encoder.call(x);
        var recon = vae.Decoder.DecodeImage(mu);
        ImageStrip.Save(Path.Combine(run.PlotsDir, ReconstructionsPng), [("test image", x.cpu()), ("reconstruction", recon.cpu())], [], scale: 2);

        // interpolation: z(t) = (1 - t) mu_a + t mu_b for three pairs of test images of different classes
        const int steps = 10;
        var rows = new List<(string, Tensor)>();
        var labels = test.Labels!.cpu().data<long>().ToArray();
        var pairs = new List<(int A, int B)>();
        for (int a = 0; a < 200 && pairs.Count < 3; a += 17)
        {
            int b = Array.FindIndex(labels, a + 1, l => l != labels[a] && l != labels[(a + 5) % labels.Length]);
            if (b > 0) pairs.Add((a, b));
        }
        foreach (var (a, b) in pairs)
        {
            var (ma, _) = vae.Encoder.call(test.Images.narrow(0, a, 1).to(device));
            var (mb, _) = vae.Encoder.call(test.Images.narrow(0, b, 1).to(device));
            var t = linspace(0, 1, steps, device: device).reshape([steps, .. Enumerable.Repeat(1L, (int)ma.dim() - 1)]);
            var z = (1 - t) * ma + t * mb;
            rows.Add(($"{FashionMnist.ClassNames[(int)labels[a]]} -> {FashionMnist.ClassNames[(int)labels[b]]}", vae.Decoder.DecodeImage(z).cpu()));
        }
        ImageStrip.Save(Path.Combine(run.PlotsDir, InterpolationPng), rows,
            Enumerable.Range(0, steps).Select(i => $"t={i / (double)(steps - 1):0.##}").ToList(), scale: 2);
    }
}
