using GenSharp.Data;
using GenSharp.Diffusion.Samplers;
using GenSharp.Nn;

namespace GenSharp.Diffusion.Images;

/// <summary>
/// Everything that defines a DDPM run on images (SPEC §2.1-2.3, §3.2); saved (resolved) as config.json.
/// Defaults: the reference U-Net "ddpm-unet" on Fashion-MNIST, linear betas, AdamW 2e-4 (the course's
/// optimiser), EMA 0.999, gradient clipping 1.0, and a CPU-affordable number of steps.
/// </summary>
public sealed record ImageDdpmConfig
{
    /// <summary>The model family tag written to config.json; <c>sample</c> and <c>eval</c> dispatch on it.</summary>
    public const string Kind = "ddpm-image";

    public string Model { get; init; } = Kind;

    /// <summary><c>fashion-mnist</c> (optionally <c>fashion-mnist:DIR</c>) or <c>png:DIR</c>.</summary>
    public string Data { get; init; } = "fashion-mnist";

    public long Seed { get; init; } = 0;
    public long Steps { get; init; } = 10_000;
    public int Batch { get; init; } = 64;
    public double Lr { get; init; } = 2e-4;
    public long WarmupSteps { get; init; } = 500;
    public string LrDecay { get; init; } = "constant";
    public double WeightDecay { get; init; } = 0.0;
    public double GradClip { get; init; } = 1.0;
    public double EmaDecay { get; init; } = 0.999;

    /// <summary>
    /// Training arithmetic: <c>fp32</c>, or <c>bf16</c> mixed precision (forward and backward on a bfloat16
    /// copy of the U-Net, fp32 master weights for the optimiser, EMA and checkpoints; see
    /// <see cref="Training.MixedPrecision"/>). Sampling and evaluation always run in fp32.
    /// </summary>
    public string Precision { get; init; } = Training.TrainingPrecision.Fp32;

    /// <summary>Random horizontal flips of training images (off by default: Fashion-MNIST items have an orientation).</summary>
    public bool Flip { get; init; }

    public int LogEvery { get; init; } = 50;
    public int CheckpointEvery { get; init; } = 1000;

    /// <summary>Steps between sample grids (a fixed start noise, so grids over training are comparable).</summary>
    public int SampleEvery { get; init; } = 1000;

    /// <summary>Steps between Fréchet-distance evaluations during training (0 = never).</summary>
    public int EvalEvery { get; init; } = 2000;

    /// <summary>Samples per evaluation during training (the final evaluation uses <see cref="FinalEvalSamples"/>).</summary>
    public int EvalSamples { get; init; } = 1000;

    /// <summary>Samples of the evaluation written when training ends (0 = skip).</summary>
    public int FinalEvalSamples { get; init; } = 2000;

    /// <summary>Also write TensorBoard event files under tensorboard/.</summary>
    public bool TensorBoard { get; init; }

    /// <summary>Noise schedule (SPEC §2.1): linear 1e-4..0.02 over T = 1000 by default.</summary>
    public NoiseScheduleConfig Schedule { get; init; } = new();

    /// <summary>The noise predictor: the reference U-Net (1,112,801 parameters at ch = 32 on 28x28x1).</summary>
    public UNetConfig Network { get; init; } = new();

    /// <summary>The sampler used for grids and evaluations during training and by default afterwards.</summary>
    public SamplerSpec Sampler { get; init; } = new();

    /// <summary>Image shape (C, H, W), measured from the data.</summary>
    public int[] ImageShape { get; init; } = [];

    /// <summary>SHA-256 of the training images and labels.</summary>
    public string DataHash { get; init; } = "";

    /// <summary>Environment recorded at creation: versions, device, threads.</summary>
    public Dictionary<string, string> Environment { get; init; } = [];

    public ImageDdpmConfig Validate()
    {
        if (DataSpec.Parse(Data) is DataSpec.Toy)
            throw new ConfigException($"--data {Data}: image DDPM needs images; use fashion-mnist or png:DIR (toy data trains the 2D DDPM)");
        if (Batch < 2) throw new ConfigException($"--batch {Batch}: must be at least 2");
        Training.TrainingPrecision.Validate(Precision);
        if (!(EmaDecay >= 0 && EmaDecay < 1)) throw new ConfigException($"--ema-decay {EmaDecay}: must be in [0, 1)");
        if (SampleEvery < 1) throw new ConfigException($"--sample-every {SampleEvery}: must be at least 1");
        if (EvalEvery < 0) throw new ConfigException($"--eval-every {EvalEvery}: must be >= 0 (0 = never)");
        if (EvalEvery > 0 && EvalSamples < 10) throw new ConfigException($"--eval-n {EvalSamples}: must be at least 10");
        if (FinalEvalSamples is < 0 or (> 0 and < 10)) throw new ConfigException($"--final-eval-n {FinalEvalSamples}: must be 0 (skip) or at least 10");
        Schedule.Validate();
        Network.Validate();
        Sampler.Validate(Schedule.Timesteps);
        return this;
    }
}
