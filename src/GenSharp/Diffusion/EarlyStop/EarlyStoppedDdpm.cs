using GenSharp.Diffusion.Images;
using GenSharp.Diffusion.Samplers;
using GenSharp.Nn;
using GenSharp.Pipelines;
using GenSharp.Training;
using static TorchSharp.torch;

namespace GenSharp.Diffusion.EarlyStop;

/// <summary>
/// An image DDPM run and a fast generator's run opened together for early-stopped sampling (docs/latent-diffusion.md#es-ddpm): the DDPM's
/// EMA U-Net, its diffusion, and the generator's sampler (any image run that <c>sample</c> can open: a VAE, a GAN). <c>gensharp sample
/// RUN_DDPM --start-from RUN --t0 T0</c> draws through <see cref="Sampler"/>; <see cref="EarlyStopSweep"/> compares T0s.
/// </summary>
public sealed class EarlyStoppedDdpm : IDisposable
{
    private readonly UNet _network;
    private readonly ImageRunHandle _start;

    private EarlyStoppedDdpm(ImageDdpmConfig config, UNet network, GaussianDiffusion diffusion, ImageRunHandle start, RunDirectory startRun)
    {
        Config = config;
        _network = network;
        Diffusion = diffusion;
        _start = start;
        StartRun = startRun;
    }

    /// <summary>The DDPM run's configuration.</summary>
    public ImageDdpmConfig Config { get; }

    /// <summary>The DDPM's diffusion (schedule of T steps).</summary>
    public GaussianDiffusion Diffusion { get; }

    /// <summary>The generator's run.</summary>
    public RunDirectory StartRun { get; }

    /// <summary>The generator alone (one call of its network per sample).</summary>
    public IImageSampler Generator => _start.Sampler;

    /// <summary>The DDPM's own noise predictor eps_theta(x_t, t) (EMA weights, eval mode).</summary>
    public Tensor Eps(Tensor x, Tensor t) => Config.Objective.AsEps((a, b) => _network.call(a, b), Diffusion.Schedule)(x, t);

    /// <summary>Opens both runs; refuses a DDPM run of another kind, a class-conditional one, or a start run that cannot be sampled.</summary>
    public static EarlyStoppedDdpm Open(RunDirectory run, RunDirectory startRun, Device device)
    {
        string kind = RunConfigFile.ReadKind(run);
        if (kind != ImageDdpmConfig.Kind)
            throw new ConfigException($"--start-from: {run.Name} is a {kind} run; early stopping needs an image DDPM run (gensharp train ddpm)");
        var family = new ImageDdpmRecipe();
        var config = ImageRunPipeline<ImageDdpmConfig, UNet>.ReadConfig(run);
        if (config.Conditioning is not null)
            throw new ConfigException($"--start-from: {run.Name} is class-conditional; early-stopped sampling is implemented for unconditional " +
                "DDPM runs only");
        string startKind = RunConfigFile.ReadKind(startRun);
        if (Registry.Recipe(startKind) is not IImageRunSource source)
            throw new ConfigException($"--start-from {startRun.Root}: a {startKind} run does not draw images; use an image run (train vae, " +
                "train gan)");
        var network = ImageRunPipeline<ImageDdpmConfig, UNet>.LoadEma(family, run, config, device, out var own);
        own.Dispose();
        try
        {
            var start = source.Open(startRun, null, device);
            return new EarlyStoppedDdpm(config, network, new GaussianDiffusion(new NoiseSchedule(config.Schedule, device)), start, startRun);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The early-stopped sampler at <paramref name="t0"/>: the generator, q(x_T0 | x_0), then <paramref name="spec"/> (default: ancestral,
    /// the last T0 steps) on the table truncated at T0. The caller disposes it before this object.
    /// </summary>
    public EarlyStoppedSampler Sampler(int t0, SamplerSpec? spec, Device device)
    {
        var chosen = spec ?? new SamplerSpec("ddpm", Variance: Config.Sampler.Variance, ClipX0: Config.Sampler.ClipX0);
        return new EarlyStoppedSampler(_start.Sampler, Eps, Diffusion, chosen, t0, [.. Config.ImageShape.Select(d => (long)d)], device);
    }

    /// <summary>One of the DDPM's own samplers from x_T ~ N(0, I) (the sweep's baselines), on this object's network.</summary>
    public IImageSampler Full(SamplerSpec spec, Device device) =>
        new DdpmImageSampler(_network, Diffusion, spec.Validate(Config.Schedule.Timesteps), device, ownsDiffusion: false,
            objective: Config.Objective);

    public void Dispose()
    {
        _start.Dispose();
        Diffusion.Dispose();
        _network.Dispose();
    }
}
