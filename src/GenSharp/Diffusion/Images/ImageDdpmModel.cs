using GenSharp.Diffusion.Samplers;
using GenSharp.Nn;
using GenSharp.Pipelines;
using GenSharp.Training;
using static TorchSharp.torch;

namespace GenSharp.Diffusion.Images;

/// <summary>
/// A trained image DDPM ready for deterministic DDIM work (<c>gensharp interpolate</c>, <c>gensharp invert</c>): its config, the EMA U-Net
/// of its latest checkpoint (as <c>sample</c> loads it) and its diffusion process.
/// </summary>
public sealed class ImageDdpmModel : IDisposable
{
    private ImageDdpmModel(ImageDdpmConfig config, UNet network, GaussianDiffusion diffusion)
    {
        Config = config;
        Network = network;
        Diffusion = diffusion;
    }

    public ImageDdpmConfig Config { get; }
    public UNet Network { get; }
    public GaussianDiffusion Diffusion { get; }

    /// <summary>The image shape (C, H, W).</summary>
    public long[] ImageShape => [Network.Config.InChannels, Network.Config.Height, Network.Config.Width];

    /// <summary>eps_theta(x_t, t) of the EMA network (converted from its v prediction in a v run, <see cref="DdpmObjective.AsEps"/>).</summary>
    public Tensor Eps(Tensor x, Tensor t) => Config.Objective.AsEps((a, b) => Network.call(a, b), Diffusion.Schedule)(x, t);

    /// <summary>Opens <paramref name="run"/>; refuses any run that is not an image DDPM, naming <paramref name="verb"/>.</summary>
    public static ImageDdpmModel Open(RunDirectory run, Device device, string verb)
    {
        string kind = RunConfigFile.ReadKind(run);
        if (kind != ImageDdpmConfig.Kind)
            throw new ConfigException($"{run.ConfigPath}: model '{kind}'; gensharp {verb} needs an image DDPM run (model " +
                $"'{ImageDdpmConfig.Kind}', " +
                "made by gensharp train ddpm --data fashion-mnist or png:DIR), whose deterministic DDIM sampler maps noise to images and back");
        var config = ImageRunPipeline<ImageDdpmConfig, UNet>.ReadConfig(run);
        var network = ImageRunPipeline<ImageDdpmConfig, UNet>.LoadEma(new ImageDdpmRecipe(), run, config, device, out var sampler);
        sampler.Dispose();
        return new ImageDdpmModel(config, network, new GaussianDiffusion(new NoiseSchedule(config.Schedule, device)));
    }

    /// <summary>Deterministic DDIM (eta 0, x_0 clipped as image sampling does) with <paramref name="steps"/> steps (null: min(50, T)).</summary>
    public SamplerSpec DeterministicDdim(int? steps) =>
        new SamplerSpec("ddim", steps, 0.0, Config.Sampler.Spacing, ClipX0: true).Validate(Config.Schedule.Timesteps);

    public void Dispose()
    {
        Network.Dispose();
        Diffusion.Dispose();
    }
}
