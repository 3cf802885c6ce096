using GenSharp.Nn;
using GenSharp.Pipelines;
using GenSharp.Score.Losses;
using GenSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GenSharp.Score.Images;

/// <summary>
/// Score matching over the noise levels: one level i ~ U{1..L} per example, weight lambda(sigma) = sigma^2, on pixels in [0, 1]. The
/// objective is the run's <see cref="NcsnObjectiveConfig"/>: denoising score matching (docs/score-models.md#dsm),
/// 1/2 E || sigma s_theta(x + sigma z, sigma) + z ||^2, or sliced score matching of p_sigma (docs/score-models.md#sliced).
/// </summary>
public sealed class NcsnImageLoss(ImageNcsnConfig config, UNetScoreNetwork model, Device device) : IImageLoss
{
    private readonly double[] _sigmas = config.Noise.Sigmas();
    private readonly Tensor _sigmaTable = tensor(config.Noise.Sigmas(), dtype: ScalarType.Float32, device: device);
    private readonly IScoreMatchingLoss _objective = config.Objective.Create();

    public MixedPrecision? MixedPrecision => null;

    public Tensor Loss(Tensor x, Generator rng)
    {
        var level = randint(0, _sigmas.Length, [x.shape[0]], generator: rng, device: x.device);    // i ~ U{1..L} per example
        var sigma = _sigmaTable.index_select(0, level);                                               // (B)
        return _objective.Loss((xt, s) => model.call(xt, s), x, sigma, rng);                          // DSM: 1/2 E || sigma s + z ||^2
    }

    public void Dispose() => _sigmaTable.Dispose();
}
