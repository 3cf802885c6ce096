using GenSharp.Data;
using GenSharp.Nn;
using GenSharp.Pipelines;

namespace GenSharp.Vdm;

/// <summary>
/// Everything that defines a variational diffusion model run on images (docs/vdm.md); saved (resolved) as config.json. Defaults:
/// the reference U-Net "ddpm-unet" on Fashion-MNIST in [-1, 1] on the 256-level pixel grid, the linear log-SNR schedule from
/// gamma_0 = -13.3 to gamma_1 = 5, the full bound (diffusion L_inf + prior + reconstruction, in bits/dim) as the loss, and T = 100
/// ancestral steps in SNR form for samples (the shared settings and their defaults are <see cref="ImageRunConfig"/>'s).
/// </summary>
public sealed record VdmConfig : ImageRunConfig
{
    /// <summary>The model family tag written to config.json; <c>sample</c> and <c>eval</c> dispatch on it.</summary>
    public const string Kind = "vdm-image";

    /// <summary>The largest number of ancestral steps a sampler may take.</summary>
    public const int MaxSamplingSteps = 100_000;

    public VdmConfig() => Model = Kind;

    /// <summary>Train on only the first N training images (0 = all).</summary>
    public int TrainLimit { get; init; }

    /// <summary>The log-SNR schedule gamma(t).</summary>
    public LogSnrScheduleConfig Schedule { get; init; } = new();

    /// <summary>The noise predictor's U-Net (1,112,801 parameters at ch = 32 on 28x28x1).</summary>
    public UNetConfig Network { get; init; } = new();

    /// <summary>Concatenate the Fourier features sin/cos(2^k pi z_t), k = 7, 8, to the U-Net's input (docs/vdm.md#fourier-features).
    /// Off by default, and in the config.json of runs made before the option.</summary>
    public bool FourierFeatures { get; init; }

    /// <summary>T, the steps of the ancestral sampler in SNR form used for grids and evaluations (100: CPU-affordable grids; eval
    /// --steps).</summary>
    public int SamplingSteps { get; init; } = 100;

    public override VdmConfig Validate()
    {
        if (DataSpec.Parse(Training.Data) is DataSpec.Toy)
            throw new ConfigException($"--data {Training.Data}: an image VDM needs images (fashion-mnist or png:DIR); 2D toys are a " +
                "ToyVdmConfig run (train vdm --data toy:NAME)");
        if (TrainLimit < 0) throw new ConfigException($"--train-limit {TrainLimit}: must be >= 0 (0 = all images)");
        ValidateShared();
        Schedule.Validate();
        Network.Validate();
        CheckSteps(SamplingSteps, "--sample-steps");
        return this;
    }

    /// <summary>Refuses a number of sampling steps outside [1, <see cref="MaxSamplingSteps"/>].</summary>
    public static void CheckSteps(int steps, string option)
    {
        if (steps < 1 || steps > MaxSamplingSteps)
            throw new ConfigException($"{option} {steps}: the ancestral sampler needs 1 to {MaxSamplingSteps} steps");
    }
}
