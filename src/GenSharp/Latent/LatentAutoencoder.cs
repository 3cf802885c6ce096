using GenSharp.Data;
using GenSharp.Vae;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Latent;

/// <summary>
/// A trained VAE used as latent diffusion's autoencoder (Rombach et al. 2022; docs/latent-diffusion.md#autoencoder), with the scale factor
/// that gives the latents unit variance on the training set (Stable Diffusion's <c>scale_factor</c>, there 0.18215):
///   encode:  z = f * mu_phi(x)          (the posterior mean: deterministic, so encoding twice gives the same latents)
///   decode:  x = D(z / f)               (the decoder's mean image, in [-1, 1])
/// f = 1 / std(mu_phi(x)) over every element of every training latent (<see cref="MeasureScale"/>). Owns the VAE.
/// </summary>
public sealed class LatentAutoencoder(VariationalAutoencoder vae, double scale) : IDisposable
{
    /// <summary>Images per encoder or decoder call (memory stays bounded for 60,000 images).</summary>
    public const int Batch = 1000;

    /// <summary>f, the factor applied to the posterior mean.</summary>
    public double Scale { get; } = scale;

    /// <summary>The latent shape (C, 7, 7).</summary>
    public long[] LatentShape => vae.Config.LatentShape;

    /// <summary>The scaled latents f mu_phi(x) of images (N, 1, 28, 28) in [-1, 1], on the images' device.</summary>
    public Tensor Encode(Tensor images)
    {
        using var noGrad = no_grad();
        var parts = new List<Tensor>();
        using (var scope = NewDisposeScope())
        {
            for (long s = 0; s < images.shape[0]; s += Batch)
            {
                var (mu, _) = vae.Encoder.call(images.narrow(0, s, Math.Min(Batch, images.shape[0] - s)));
                parts.Add((mu * Scale).MoveToOuterDisposeScope());
            }
        }
        var all = cat(parts, 0);
        foreach (var p in parts) p.Dispose();
        return all;
    }

    /// <summary>Images in [-1, 1] decoded from scaled latents (N, C, 7, 7).</summary>
    public Tensor Decode(Tensor latents)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return vae.Decoder.DecodeImage(latents / Scale).MoveToOuterDisposeScope();
    }

    /// <summary>Encodes a whole data set once: the scaled latents with the images' labels, class names and content hash.</summary>
    public ImageDataset EncodeAll(ImageDataset images) =>
        new(images.Name + " (latents)", Encode(images.Images), images.Labels?.clone(), images.ClassNames, images.Range, images.ContentHash);

    /// <summary>f = 1 / std of every element of <paramref name="latents"/> (unscaled latents of the training set), in float64.</summary>
    public static double MeasureScale(Tensor latents)
    {
        using var scope = NewDisposeScope();
        double std = latents.to_type(ScalarType.Float64).std().item<double>();
        if (!(std > 0) || double.IsInfinity(std))
            throw new ConfigException($"--autoencoder: its training latents have standard deviation {std}; the VAE's encoder is degenerate");
        return 1 / std;
    }

    public void Dispose() => vae.Dispose();
}
