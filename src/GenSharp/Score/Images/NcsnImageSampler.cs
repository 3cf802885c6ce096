using GenSharp.Diffusion.Samplers;
using GenSharp.Nn;
using GenSharp.Pipelines;
using GenSharp.Score.Samplers;
using static TorchSharp.torch;

namespace GenSharp.Score.Images;

/// <summary>
/// An image NCSN's sampler for the pipeline: annealed Langevin dynamics (NCSN Algorithm 1, NCSNv2's technique 4 and final denoising)
/// from uniform noise in [0, 1]; samples leave in GenSharp's image range [-1, 1], a recorded trajectory stays in [0, 1].
/// </summary>
public sealed class NcsnImageSampler(UNetScoreNetwork model, AnnealedLangevinConfig langevin, Device device) : IImageSampler
{
    private readonly AnnealedLangevinDynamics _sampler = new(langevin);

    /// <summary>The annealed-Langevin setting this sampler runs.</summary>
    public AnnealedLangevinConfig Langevin => langevin;

    public string Label => ImageNcsnRecipe.Label(langevin);
    public int FunctionEvaluations => langevin.FunctionEvaluations;

    public object Settings => new Dictionary<string, object?>
    {
        ["name"] = "annealed-langevin",
        ["levels_used"] = langevin.Sigmas.Length,
        ["steps_per_level"] = langevin.StepsPerLevel,
        ["eps"] = langevin.Eps,
        ["final_denoise"] = langevin.FinalDenoise,
        ["sigma_1"] = langevin.Sigmas[0],
        ["sigma_L"] = langevin.Sigmas[^1],
        ["variance_ratio"] =
            Ncsnv2Techniques.VarianceRatio(langevin.Eps, langevin.StepsPerLevel, NoiseLevels.Ratio(langevin.Sigmas), langevin.Sigmas[^1]),
    };

    public SamplerResult Sample(int n, Generator generator, SamplingObserver observer)
    {
        model.eval();
        NoiseConditionalScore score = (x, sigma) => model.call(x, sigma);
        using var x0 = rand([n, model.Config.InChannels, model.Config.Height, model.Config.Width], generator: generator, device: device);
        var result = _sampler.Run(score, x0, generator, observer);
        using var raw = result.Samples;
        return new SamplerResult(ImageNcsnData.ToImageRange(raw), langevin.FunctionEvaluations, result.Seconds, result.Trajectory);
    }

    public void Dispose() { }
}
