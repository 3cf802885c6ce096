namespace GenSharp.Cli;

/// <summary>
/// <c>eval</c> options that only some run kinds read, refused with one line for the others instead of being accepted and ignored:
/// <c>--bpd</c> is the variational bound of an image DDPM or VDM on the 256-level pixel grid (Ho et al. 2020, eq. 5; docs/ddpm.md#variational-bound;
/// docs/vdm.md#bound); on a toy VDM run it sets the held-out points of its bound beside the exact NLL (docs/vdm.md#toy-bound);
/// a 2D toy run's data are continuous, so bits/dim on a pixel grid do not exist there (its exact metrics are in eval.json), and a GAN or
/// VAE has no diffusion bound (the VAE reports its test ELBO). <c>--no-figures</c> skips the optional figures of image DDPM and NCSN runs;
/// the toy, GAN and VAE evaluations draw only the figures their report shows.
/// </summary>
public static class EvalOptionRefusals
{
    public static void Check(string kind, int bitsPerDimImages, bool noFigures)
    {
        bool diffusionImages = kind is Diffusion.Images.ImageDdpmConfig.Kind or Vdm.VdmConfig.Kind;
        bool bound = diffusionImages || kind == Vdm.Toy.ToyVdmConfig.Kind; // a toy VDM: the bound in nats on N held-out points
        if (bitsPerDimImages != 0 && !bound && kind != Score.Images.ImageNcsnConfig.Kind) // NCSN refuses it with its own reason
            throw new ConfigException($"--bpd {bitsPerDimImages}: bits/dim is the image DDPM's variational bound on the pixel grid; this run is " +
                $"'{kind}' ({Reason(kind)}); leave --bpd out");
        if (noFigures && !diffusionImages && kind != Score.Images.ImageNcsnConfig.Kind)
            throw new ConfigException($"--no-figures: only image DDPM, VDM and NCSN evaluations draw optional figures; this run is '{kind}', " +
                "whose evaluation writes just the figures of its report; leave --no-figures out");
    }

    private static string Reason(string kind) => kind switch
    {
        Diffusion.Toy.ToyDdpmConfig.Kind => "2D points are continuous, not pixels; eval.json holds its exact metrics against the true density",
        Vae.VaeConfig.Kind => "a VAE's likelihood bound is its test ELBO, which eval.json reports",
        Latent.LatentDiffusionConfig.Kind => "its diffusion bound would be on the autoencoder's latents, not on the pixel grid",
        _ => "no diffusion bound",
    };
}
